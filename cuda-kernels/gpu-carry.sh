#!/usr/bin/env bash
# gpu-carry.sh OUTDIR: prepares a self-contained folder to copy to a GPU machine that has no Java
# and no network, for gpu-check.sh:
#   OUTDIR/java-runtime/   a jlink'd Java runtime (java.base and the modules the CLI needs, by jdeps)
#   OUTDIR/relgraph.jar    the CLI, with OUTDIR/lib/ holding the dependency jars it needs there
#                          (org.bytedeco cuda and javacpp with their linux-x86_64 JNI jars; no
#                          OpenBLAS, oneDNN or OpenCL natives: the cpu backend is then unavailable,
#                          which the GPU check does not need)
#   OUTDIR/relgraph        a launcher: java-runtime/bin/java -jar relgraph.jar "$@"
#   OUTDIR/cuda-kernels/   gpu-check.sh, the kernel sources and the harness sources
# At most 60 MiB (checked). Builds the CLI first when java/target/relgraph.jar is missing. Needs a
# JDK 17 (jlink, jdeps) here.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: cuda-kernels/gpu-carry.sh OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$1"
limit_mib=60

jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")}"
for tool in jlink jdeps; do
  [ -x "$jdk/bin/$tool" ] || { echo "gpu-carry: $jdk/bin/$tool not found: set JAVA_HOME to a JDK 17" >&2; exit 1; }
done

jar="$root/java/target/relgraph.jar"
stale() {
  [ ! -f "$jar" ] || [ ! -d "$root/java/target/lib" ] && return 0
  [ -n "$(find "$root/pom.xml" "$root/java/pom.xml" "$root/java/src/main" "$root/native/pom.xml" \
    "$root/native/src/main" "$root/cuda-kernels/pom.xml" "$root/cuda-kernels/src/main" \
    -newer "$jar" -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "gpu-carry: packaging the CLI (mvn package) ..." >&2
  mvn -q -B -f "$root/pom.xml" -pl java -am -DskipTests -Dspotless.check.skip=true package >&2
fi
if ! (cd "$root/java/target/lib" && "$jdk/bin/jar" tf relgraph-cuda-kernels-*.jar 2>/dev/null) \
  | grep -q 'org/relgraph/cuda/relgraph_kernels.fatbin'; then
  echo "gpu-carry: warning: the kernels' fatbin is not in the jars (built without nvcc): the" \
    "carried cuda backend will say so; gpu-check.sh still builds its own" >&2
fi

if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "gpu-carry: $out exists and is not empty" >&2
  exit 2
fi
mkdir -p "$out/lib" "$out/cuda-kernels"

# The jars the CLI needs on the GPU machine: every runtime dependency except the CPU-only native
# libraries (their JNI jars are the bulk of the launcher's lib/) and the plotting libraries (the
# runtime has no java.desktop: --plot is not available there; train, evaluate, sweep and bench
# print their CSV and JSON as usual).
skip='^(openblas|dnnl|opencl)-|^(xchart|pdfbox|pdfbox-io|fontbox|graphics2d|VectorGraphics2D|animated-gif-lib)-[0-9]'
cp "$jar" "$out/relgraph.jar"
for f in "$root"/java/target/lib/*.jar; do
  name="$(basename "$f")"
  if [[ "$name" =~ $skip ]]; then
    continue
  fi
  cp "$f" "$out/lib/"
done

# Native libraries this machine kind (linux-x86_64) does not need: of the CUDA presets' JNI
# libraries only those the backend loads (cudart: the driver API, cublas, cusparse; the jar also
# binds NPP, cuDNN, nvJPEG, ...), and of sqlite-jdbc only Linux/x86_64's.
strip_jar() { # JAR REGEX-OF-ENTRIES-TO-DROP
  python3 - "$1" "$2" <<'PY'
import os, re, sys, zipfile
path, drop = sys.argv[1], re.compile(sys.argv[2])
tmp = path + ".tmp"
with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
    for e in src.infolist():
        if not drop.search(e.filename):
            dst.writestr(e, src.read(e))
os.replace(tmp, path)
PY
}
for j in "$out"/lib/cuda-*-linux-x86_64.jar; do
  [ -f "$j" ] && strip_jar "$j" '(^|/)(lib)?jni(?!(cudart|cublas|cusparse)\b)\w+(\.so$|/)'
done
for j in "$out"/lib/sqlite-jdbc-*.jar; do
  [ -f "$j" ] && strip_jar "$j" '^org/sqlite/native/(?!Linux/x86_64/).+[^/]$'
done

# The modules the CLI and its jars use, as jdeps finds them, less java.desktop (plots only; 11 MiB)
# and java.compiler (annotation-processing types the CLI never loads), plus jdk.unsupported, which
# JavaCPP and sqlite reach through reflection, and the zip file system.
mods="$("$jdk/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps \
  --class-path "$out/lib/*" "$out/relgraph.jar" 2>/dev/null | tail -1)"
mods="$(echo "$mods,jdk.unsupported,jdk.zipfs" | tr ',' '\n' \
  | grep -v -x -e java.desktop -e java.compiler | sort -u | paste -sd, -)"
strip_native=()
if command -v objcopy >/dev/null 2>&1; then
  strip_native=(--strip-native-debug-symbols "objcopy=$(command -v objcopy)")
fi
"$jdk/bin/jlink" --add-modules "$mods" --strip-debug ${strip_native[@]+"${strip_native[@]}"} \
  --no-man-pages --no-header-files --compress=2 --output "$out/java-runtime"
# jlink keeps libjvm.so's symbol table (4 MiB); the JVM does not need it
if command -v strip >/dev/null 2>&1; then
  strip --strip-unneeded "$out/java-runtime/lib/server/libjvm.so"
fi

cat >"$out/relgraph" <<'LAUNCH'
#!/usr/bin/env bash
# relgraph from the carried folder: its own Java runtime, no build.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/java-runtime/bin/java" ${RELGRAPH_JAVA_OPTS:-} -Djava.awt.headless=true -jar "$here/relgraph.jar" "$@"
LAUNCH
chmod +x "$out/relgraph"

# The GPU check and what it builds from: the kernels' sources and the harness.
for f in gpu-check.sh pom.xml; do
  [ -f "$here/$f" ] && cp "$here/$f" "$out/cuda-kernels/"
done
[ -d "$here/src" ] && cp -r "$here/src" "$out/cuda-kernels/"
for d in harness bench; do
  [ -d "$here/$d" ] && cp -r "$here/$d" "$out/cuda-kernels/"
done

size_kib="$(du -sk "$out" | cut -f1)"
size_mib=$(( (size_kib + 1023) / 1024 ))
if [ "$size_mib" -gt "$limit_mib" ]; then
  echo "gpu-carry: $out is $size_mib MiB, over the $limit_mib MiB limit" >&2
  exit 1
fi
echo "gpu-carry: $out ready ($size_mib MiB): copy it to the GPU machine and run cuda-kernels/gpu-check.sh there"
