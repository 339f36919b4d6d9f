# Counts the copies of a value of SIZE bytes a program makes: the calls of
# glibc's memcpy/memmove (x86-64) whose length argument is SIZE. A copy of a
# large value is one such call, in debug and optimised builds alike.
#
#   SIZE=65535 gdb -batch -nx -x gochan/benches/count_copies.py \
#       --args target/release/examples/large_values unbuffered 65535 100
#
# prints `copies of 65535 bytes: N`; divide by the values sent (100).
import os

import gdb

size = int(os.environ["SIZE"])
gdb.execute("set pagination off")
gdb.execute("starti", to_string=True)
# glibc is loaded by the time `main` runs.
gdb.execute("break main", to_string=True)
gdb.execute("continue", to_string=True)
gdb.execute("delete", to_string=True)

# The implementation the loader picked is one of these; memcpy and memmove
# share an address in some, so break once per address.
breakpoints, addresses = [], set()
for isa in ["sse2", "ssse3", "avx", "avx512", "evex"]:
    for kind in ["memmove", "memcpy"]:
        for tail in ["unaligned", "unaligned_erms", "unaligned_erms_rtm", "unaligned_rtm"]:
            name = f"__{kind}_{isa}_{tail}"
            try:
                address = int(gdb.parse_and_eval(f"(long) &{name}"))
            except gdb.error:
                continue
            if address in addresses:
                continue
            addresses.add(address)
            bp = gdb.Breakpoint(name, internal=True)
            bp.condition = f"$rdx == {size}"
            bp.silent = True
            breakpoints.append(bp)

while gdb.selected_inferior().pid:
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        break
print(f"copies of {size} bytes: {sum(bp.hit_count for bp in breakpoints)}")
