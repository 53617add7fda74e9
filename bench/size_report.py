"""Largest contributors to the wasm, by crate and by function, read from the name section of the wasm-bindgen
output before wasm-opt (target/pkg/dist/carecloud_customer_bg.wasm). Prints a Markdown table (used by bench/run.mjs)."""
import collections
import re
import sys


def leb(d, i):
    r = s = 0
    while True:
        b = d[i]
        i += 1
        r |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return r, i


def main(path):
    d = open(path, "rb").read()
    i, secs = 8, {}
    while i < len(d):
        sid = d[i]
        i += 1
        n, i = leb(d, i)
        start = i
        if sid == 0:
            l, j = leb(d, i)
            secs[d[j:j + l].decode()] = (j + l, start + n)
        else:
            secs[sid] = (start, start + n)
        i = start + n
    imports = 0
    s, _ = secs[2]
    i = s
    cnt, i = leb(d, i)
    for _ in range(cnt):
        for _ in range(2):
            l, i = leb(d, i)
            i += l
        k = d[i]
        i += 1
        if k == 0:
            _, i = leb(d, i)
            imports += 1
        elif k == 1:
            i += 1
            flags, i = leb(d, i)
            _, i = leb(d, i)
            if flags & 1:
                _, i = leb(d, i)
        elif k == 2:
            flags, i = leb(d, i)
            _, i = leb(d, i)
            if flags & 1:
                _, i = leb(d, i)
        elif k == 3:
            i += 2
    names = {}
    if "name" in secs:
        s, e = secs["name"]
        i = s
        while i < e:
            sub = d[i]
            i += 1
            n, i = leb(d, i)
            end = i + n
            if sub == 1:
                cnt, i = leb(d, i)
                for _ in range(cnt):
                    idx, i = leb(d, i)
                    l, i = leb(d, i)
                    names[idx] = d[i:i + l].decode("utf8", "replace")
                    i += l
            i = end
    s, _ = secs[10]
    i = s
    cnt, i = leb(d, i)
    sizes = []
    for k in range(cnt):
        n, i = leb(d, i)
        sizes.append((n, names.get(imports + k, "?")))
        i += n
    code = sum(n for n, _ in sizes)
    data = secs[11][1] - secs[11][0] if 11 in secs else 0
    by_crate = collections.Counter()
    for n, nm in sizes:
        m = re.sub(r"^[_<&]*(dyn |impl )?", "", nm)
        crate = re.split(r"::|\[| as ", m)[0] or "?"
        by_crate[crate] += n
    print(f"code {code} bytes in {cnt} functions, data {data} bytes (before wasm-opt)\n")
    print("| crate | code bytes | share |\n|---|---|---|")
    for c, n in by_crate.most_common(12):
        print(f"| {c} | {n} | {100 * n / code:.1f} % |")
    print("\n| largest functions | bytes |\n|---|---|")
    for n, nm in sorted(sizes, reverse=True)[:10]:
        # Nightly names carry crate disambiguators (`core[5994d62dbb6bdd4a]`): left out, as the legacy `::h…` hash.
        short = re.sub(r"\[[0-9a-f]{16}\]", "", re.sub(r"::h[0-9a-f]{16}$", "", nm))
        print(f"| `{short.replace('carecloud_customer::', '')[:100]}` | {n} |")


main(sys.argv[1] if len(sys.argv) > 1 else "target/pkg/dist/carecloud_customer_bg.wasm")
