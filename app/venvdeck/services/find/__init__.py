"""What is on disk: walking, recognising environments and naming their owners."""
