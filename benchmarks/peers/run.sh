#!/usr/bin/env bash
# Side-by-side TCP echo (and HTTP) benchmark of Asyncio.NET against CPython asyncio, uvloop, Node and .NET sockets.
#
#   benchmarks/peers/run.sh [--quick] [--sizes 1024,16384] [--repeat N] [--duration S] [--only NAME,...]
#                           [--connections N] [--no-syscalls] [--no-http]
#
# Builds the C client (gcc) and the .NET servers (Release), then runs run.py, which starts each server pinned to
# core 0, the client pinned to core 1, and prints one table. See README.md beside this file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$here/build"
mkdir -p "$build"

command -v gcc >/dev/null || { echo "gcc is missing: apt-get install gcc" >&2; exit 2; }
gcc -O2 -Wall -Wextra -o "$build/client" "$here/client.c"

echo "building the .NET servers (Release)..." >&2
for p in samples/EchoServer/EchoServer.csproj samples/HttpServer/HttpServer.csproj benchmarks/peers/dotnet_echo/dotnet_echo.csproj; do
  dotnet build -c Release -nologo -v q "$root/$p" >"$build/build.log" 2>&1 || { cat "$build/build.log" >&2; exit 2; }
done

exec /usr/bin/python3 "$here/run.py" --root "$root" --client "$build/client" "$@"
