"""``python -m nndl run ch7 [--full] [--out DIR]``: see :mod:`nndl.app.cli`."""
from nndl.app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
