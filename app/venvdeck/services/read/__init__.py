"""What is inside an environment: its interpreter, packages, requirements and sizes."""
