#!/usr/bin/env bash
# Make Citus 13.2.2 available to the PostgreSQL 15 in use (PG_BINDIR, default
# Debian's), for the Citus suite (test/citus). Only tests use Citus.
#
#   bash scripts/citus.sh      # exit 0: citus.so 13.2.2 installed
#                              # exit 2: skipped, no Citus source and none installed
#                              # exit 1: the build failed
#
# citus.so of this version already installed: nothing to do. Else the source
# (CITUS_SRC, default ../shared/citus beside the repository: the tarball and
# the patch PostgreSQL 15.20 needs) is unpacked, patched and built once into
# CITUS_CACHE (outside the repository); later runs, also for another
# PostgreSQL 15 installation, only run `make install` from that tree (seconds).
# The first build takes about 9 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

CITUS_VERSION=13.2.2
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_CONFIG=$PG_BINDIR/pg_config
CITUS_CACHE=${CITUS_CACHE:-/var/cache/customers/citus-$CITUS_VERSION}

# The worktree of a clone may sit one level deeper than the clone itself.
if [[ -z ${CITUS_SRC:-} ]]; then
	for d in ../shared/citus ../../shared/citus; do
		if [[ -f $d/citus-$CITUS_VERSION.tar.gz ]]; then
			CITUS_SRC=$(cd "$d" && pwd)
			break
		fi
	done
fi

# The cached tree is built against PostgreSQL 15; another major would load a
# citus.so made for 15 and fail at startup.
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if [[ $major != 15 ]]; then
	echo "citus.sh: skipped: the Citus suite runs on PostgreSQL 15 only (this is $major)" >&2
	exit 2
fi

libdir=$("$PG_CONFIG" --pkglibdir)
installed() {
	# citus.so carries its version string ("Citus 13.2.2 on x86_64-...").
	[[ -f $libdir/citus.so ]] && grep -qa "Citus $CITUS_VERSION " "$libdir/citus.so"
}

installed && exit 0

tarball=${CITUS_SRC:+$CITUS_SRC/citus-$CITUS_VERSION.tar.gz}
if [[ ! -f $CITUS_CACHE/.built && ! -f ${tarball:-/nonexistent} ]]; then
	echo "citus.sh: skipped: Citus $CITUS_VERSION is not installed in $libdir and its source" \
		"(citus-$CITUS_VERSION.tar.gz) is not in ../shared/citus; set CITUS_SRC to its directory" >&2
	exit 2
fi

# Two runs at once (CI beside a developer) share one build.
mkdir -p "$(dirname "$CITUS_CACHE")"
exec 9>"$CITUS_CACHE.lock"
flock 9

if [[ ! -f $CITUS_CACHE/.built ]]; then
	packages=(libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev)
	missing=()
	for pkg in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || missing+=("$pkg")
	done
	if ((${#missing[@]})); then
		echo "citus.sh: installing ${missing[*]}" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
	echo "citus.sh: building Citus $CITUS_VERSION in $CITUS_CACHE (about 9 minutes, once)" >&2
	start=$SECONDS
	# configure records the tree's absolute path: build where it stays. An
	# interrupted build resumes where it stopped.
	if [[ ! -f $CITUS_CACHE/.configured ]]; then
		rm -rf "$CITUS_CACHE"
		mkdir -p "$CITUS_CACHE"
		tar xzf "$tarball" -C "$CITUS_CACHE" --strip-components=1
		(
			cd "$CITUS_CACHE"
			patch -s -p1 <"$CITUS_SRC/citus-$CITUS_VERSION-pg15.20.patch"
			./configure -q PG_CONFIG="$PG_CONFIG" >configure.log
			touch .configured
		)
	fi
	# with_llvm=no: no JIT bitcode, which would double the build time
	nice make -s -C "$CITUS_CACHE" -j"$(nproc)" with_llvm=no >"$CITUS_CACHE/make.log" 2>&1 || {
		tail -40 "$CITUS_CACHE/make.log" >&2
		exit 1
	}
	touch "$CITUS_CACHE/.built"
	echo "citus.sh: built in $((SECONDS - start)) s" >&2
fi

# PG_CONFIG on the command line installs into the installation in use, even
# when the tree was configured against another copy of PostgreSQL 15.
make -s -C "$CITUS_CACHE" install with_llvm=no PG_CONFIG="$PG_CONFIG" >/dev/null
installed || {
	echo "citus.sh: citus.so $CITUS_VERSION not found in $libdir after make install" >&2
	exit 1
}
echo "citus.sh: Citus $CITUS_VERSION installed into $libdir" >&2
