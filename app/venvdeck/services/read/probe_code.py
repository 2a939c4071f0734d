"""The Python that venvdeck runs inside an interpreter, as text: valid Python 2.7 to 3.14, run with
`-B -E -s -S` from `/`. It prints one JSON answer and runs nothing of the environment but its
interpreter (read/startup.py refuses what would hang or run in its place first)."""

# What PEP 508 markers and wheel tags need of an interpreter (services/insight/markers.py): the
# values `packaging.markers.default_environment()` computes there. Part of the probe below, so an
# environment checked or drawn as a tree for the first time starts one process, not two; it also
# runs alone where there is no listing. Valid Python 2.7 to 3.14.
MARKERS_CODE = r"""
def _markers():
    import os, platform
    try:
        import sysconfig
        soabi = sysconfig.get_config_var("SOABI")
        plat = sysconfig.get_platform()
        debug = bool(sysconfig.get_config_var("Py_DEBUG"))
        gil_disabled = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    except Exception:
        soabi, plat, debug, gil_disabled = None, None, False, False
    def fmt(info):
        version = "%d.%d.%d" % (info.major, info.minor, info.micro)
        if info.releaselevel != "final":
            version += info.releaselevel[0] + str(info.serial)
        return version
    impl = getattr(sys, "implementation", None)
    return {
        "implementation_name": impl.name if impl else "",
        "implementation_version": fmt(impl.version) if impl else "0",
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
        "_soabi": soabi,
        "_platform": plat,
        "_debug": debug,
        "_gil_disabled": gil_disabled,
        "_maxsize_64": sys.maxsize > 2 ** 32,
    }
"""

# site, run without a line of the environment's code. The interpreter starts with -S (no site):
# then the standard library's site is imported (under -S that runs nothing), its exec of `.pth`
# import lines and its sitecustomize/usercustomize imports are disabled, and its main() puts the
# site folders and the `.pth` path lines on sys.path as at a normal start. Where site itself is
# the environment's (Python 2, legacy virtualenv: importing it would run its main()), the site
# folders are found here instead, their `.pth` path lines read the same way.
SITE_CODE = r"""
# setuptools' easy-install.pth brackets its eggs with these two import lines, which move them to
# the front of the path: known text, done here without running it. Any other import line is code.
_PLEN = "import sys; sys.__plen = len(sys.path)"
_EGGINSERT = ("import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; "
              "p = getattr(sys, '__egginsert', 0); sys.path[p:p] = new; sys.__egginsert = p + len(new)")

def _skip(line=None, *args, **kwargs):
    text = line.strip() if isinstance(line, str) else ""
    if text == _PLEN:
        sys.__plen = len(sys.path)
    elif text == _EGGINSERT and hasattr(sys, "__plen"):
        new = sys.path[sys.__plen:]
        del sys.path[sys.__plen:]
        at = getattr(sys, "__egginsert", 0)
        sys.path[at:at] = new
        sys.__egginsert = at + len(new)
    return None

def _pth_paths(sitedir, known):
    try:
        names = sorted(os.listdir(sitedir))
    except (IOError, OSError):
        return
    for name in names:
        if not name.endswith(".pth") or (name.startswith(".") and sys.version_info >= (3, 13)):
            continue
        try:
            f = open(os.path.join(sitedir, name), "rb")
            try:
                data = f.read(1024 * 1024)
            finally:
                f.close()
        except (IOError, OSError):
            continue
        text = data if sys.version_info[0] < 3 else data.decode("utf-8", "replace")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith(("import ", "import\t")):
                _skip(line)
                continue
            try:
                path = os.path.abspath(os.path.join(sitedir, line.rstrip()))
                if os.path.normcase(path) not in known and os.path.exists(path):
                    sys.path.append(path)
                    known.add(os.path.normcase(path))
            except Exception:
                break  # as site does: the rest of that file is ignored

def _settings():
    # virtualenv 20 writes pyvenv.cfg (base-prefix); legacy virtualenv, orig-prefix.txt
    lib = os.path.join(sys.prefix, "lib", "python%d.%d" % sys.version_info[:2])
    base, system_site = None, False
    try:
        f = open(os.path.join(sys.prefix, "pyvenv.cfg"))
        try:
            for line in f.read(65536).splitlines():
                key, _, value = line.partition("=")
                key, value = key.strip().lower(), value.strip()
                if key == "base-prefix":
                    base = value
                elif key == "include-system-site-packages":
                    system_site = value.lower() == "true"
        finally:
            f.close()
    except (IOError, OSError):
        pass
    if base is None:
        try:
            f = open(os.path.join(lib, "orig-prefix.txt"))
            try:
                base = f.read(65536).strip() or None
            finally:
                f.close()
        except (IOError, OSError):
            pass
        system_site = not os.path.exists(os.path.join(lib, "no-global-site-packages.txt"))
    return base, system_site

def _legacy_site():
    short = "python%d.%d" % sys.version_info[:2]
    prefix = sys.prefix
    base, system_site = _settings()
    if base and os.path.normcase(base) != os.path.normcase(prefix):
        # the standard library is the base's: its folders, where the environment's stand in
        here = os.path.normcase(prefix.rstrip(os.sep) + os.sep)
        for i, entry in enumerate(sys.path):
            if entry and os.path.normcase(entry).startswith(here) and "site-packages" not in entry:
                moved = os.path.join(base, entry[len(here):])
                if os.path.exists(moved):
                    sys.path[i] = moved
        sys.real_prefix = base
    prefixes = [prefix]
    if base and system_site:
        prefixes.append(base)
    known = set(os.path.normcase(os.path.abspath(p)) for p in sys.path if p)
    for root in prefixes:
        for sitedir in (os.path.join(root, "lib", short, "site-packages"),
                        os.path.join(root, "lib64", short, "site-packages"),
                        os.path.join(root, "lib", short, "dist-packages"),
                        os.path.join(root, "local", "lib", short, "dist-packages"),
                        os.path.join(root, "lib", "site-python")):
            if os.path.isdir(sitedir) and os.path.normcase(sitedir) not in known:
                sys.path.append(sitedir)
                known.add(os.path.normcase(sitedir))
                _pth_paths(sitedir, known)

def _site_origin():
    try:
        import importlib.util
        spec = importlib.util.find_spec("site")
        return spec.origin if spec is not None else None
    except ImportError:
        import imp
        found = imp.find_module("site")
        if found[0] is not None:
            found[0].close()
        return found[1]

def _run_site():
    origin = _site_origin() or ""
    legacy = os.path.exists(os.path.join(os.path.dirname(origin), "orig-prefix.txt"))
    if sys.version_info[0] < 3 or legacy:
        _legacy_site()
        return None
    import site
    setattr(site, "exec", _skip)
    site.execsitecustomize = _skip
    site.execusercustomize = _skip
    site.main()
    return site
"""

# The first lines of every probe, before anything is imported. A Python 2 (or legacy virtualenv)
# environment started with -S has only a few links to the standard library in its own
# lib/pythonX.Y (os.py among them), and its own site.py, which venvdeck does not run, would put
# the base's on the path. Imported from there, the environment's os.py would run: the path is
# pointed at the base first, with nothing but str and open. -B: nothing is written back.
START_CODE = r"""
import sys
del sys.path[0]

def _base_stdlib():
    # Python 2 virtualenv under -S: its lib/python2.7 holds a few links; the rest of the standard
    # library is the base's, which its site.py would put on the path. Before os can be imported,
    # with nothing but str: pyvenv.cfg's base-prefix (virtualenv 20) or orig-prefix.txt (older).
    base = None
    try:
        f = open(sys.prefix + "/pyvenv.cfg")
        try:
            for line in f.read(65536).splitlines():
                key, _, value = line.partition("=")
                if key.strip().lower() == "base-prefix":
                    base = value.strip()
        finally:
            f.close()
    except (IOError, OSError):
        pass
    if not base:
        try:
            f = open(sys.prefix + "/lib/python%d.%d/orig-prefix.txt" % sys.version_info[:2])
            try:
                base = f.read(65536).strip()
            finally:
                f.close()
        except (IOError, OSError):
            pass
    if base:
        here = sys.prefix.rstrip("/") + "/"
        sys.path[:] = [base.rstrip("/") + "/" + p[len(here):] if p.startswith(here) and "site-packages" not in p else p
                       for p in sys.path]

_base_stdlib()
try:
    import encodings  # not found at start-up either (Python 2): no codec could be looked up
except ImportError:
    pass
import os
"""

PROBE_CODE = (
    START_CODE
    + SITE_CODE
    + r"""
site = _run_site()
import json  # after site: a Python 2 virtualenv finds its standard library only then
try:
    import sysconfig
    stdlib = sysconfig.get_path("stdlib")
except Exception:
    stdlib = None
try:
    if site is not None:
        user_site = site.getusersitepackages()
    else:
        user_site = os.path.expanduser("~/.local/lib/python%d.%d/site-packages" % sys.version_info[:2])
except Exception:
    user_site = None
"""
    + MARKERS_CODE
    + r"""
try:
    markers = _markers()
except Exception:
    markers = None  # the listing never depends on it
base = getattr(sys, "real_prefix", getattr(sys, "base_prefix", sys.prefix))
sys.stdout.write(json.dumps({
    "executable": sys.executable,
    "version": sys.version.split()[0],
    "version_info": list(sys.version_info[:3]),
    "prefix": sys.prefix,
    "base_prefix": base,
    "path": [p for p in sys.path if p],
    "stdlib": stdlib,
    "user_site": user_site,
    "markers": markers,
}))
"""
)
