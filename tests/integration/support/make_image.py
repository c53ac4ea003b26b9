#!/usr/bin/env python3
"""Writes a test container image as an OCI image layout directory (oci-layout, index.json, blobs/sha256/...).

Each layer is a gzip-compressed tar holding one file of random bytes (seeded, so the same arguments give the same
digests). One platform gives an image manifest; several give one manifest per platform plus an OCI image index.
index.json names the top-level manifest or index with the org.opencontainers.image.ref.name annotation (--tag).

  make_image.py --out DIR [--tag T] [--layers N] [--layer-size BYTES[,BYTES...]] [--seed S]
                [--platforms linux/amd64,linux/arm64] [--summary FILE] [--print-digests]

The summary (JSON, --summary) and --print-digests list every digest and size, for tests that request blobs directly.
Python standard library only.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
FIXED_TIME = 1700000000  # every timestamp in the image, so that output depends only on the arguments


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI image layout being written: blobs go to blobs/sha256/<hex>, named by their digest."""

    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)

    def add_blob(self, data, media_type):
        """Writes data as a blob; returns its descriptor (mediaType, digest, size)."""
        digest = sha256(data)
        path = os.path.join(self.root, "blobs", "sha256", digest.split(":", 1)[1])
        with open(path, "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def add_json(self, obj, media_type):
        return self.add_blob(json.dumps(obj, indent=2, sort_keys=True).encode(), media_type)

    def finish(self, top, tag):
        """Writes oci-layout and index.json, which names top (a descriptor) by tag."""
        with open(os.path.join(self.root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        entry = dict(top)
        entry["annotations"] = {REF_NAME: tag}
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [entry]}, f, indent=2)


def make_layer(rng, size, name):
    """A gzip-compressed tar with one file of `size` random bytes; returns (compressed, uncompressed tar)."""
    payload = rng.randbytes(size)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = FIXED_TIME
        info.mode = 0o644
        info.uname = info.gname = "root"
        tar.addfile(info, io.BytesIO(payload))
    raw = buf.getvalue()
    return gzip.compress(raw, compresslevel=1, mtime=0), raw


def make_manifest(layout, rng, platform, sizes, tag):
    """Writes the layers, config and image manifest of one platform; returns (manifest descriptor, summary entry)."""
    os_name, _, arch_variant = platform.partition("/")
    arch, _, variant = arch_variant.partition("/")
    layers, diff_ids = [], []
    for i, size in enumerate(sizes):
        compressed, raw = make_layer(rng, size, "layer%d-%s.bin" % (i, arch_variant.replace("/", "-")))
        desc = layout.add_blob(compressed, MT_LAYER)
        desc["diff_id"] = sha256(raw)
        layers.append(desc)
        diff_ids.append(desc["diff_id"])
    config = {
        "architecture": arch,
        "os": os_name,
        "created": "2023-11-14T22:13:20Z",
        "config": {"Cmd": ["/layer0.bin"], "Labels": {"vicary.test.tag": tag}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make_image.py layer %d" % i}
                    for i in range(len(sizes))],
    }
    if variant:
        config["variant"] = variant
    config_desc = layout.add_json(config, MT_CONFIG)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "config": config_desc,
        "layers": [{k: v for k, v in l.items() if k != "diff_id"} for l in layers],
    }
    manifest_desc = layout.add_json(manifest, MT_MANIFEST)
    platform_obj = {"architecture": arch, "os": os_name}
    if variant:
        platform_obj["variant"] = variant
    summary = {
        "platform": platform,
        "manifest": manifest_desc,
        "config": config_desc,
        "layers": layers,
    }
    return dict(manifest_desc, platform=platform_obj), summary


def parse_sizes(text, count):
    sizes = [int(s) for s in text.split(",") if s.strip()]
    if not sizes or any(s < 0 for s in sizes):
        raise SystemExit("make_image.py: --layer-size needs non-negative byte counts, got %r" % text)
    if len(sizes) == 1:
        return sizes * count
    if len(sizes) != count:
        raise SystemExit("make_image.py: --layer-size lists %d sizes for %d layers" % (len(sizes), count))
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="layout directory to write (created if missing)")
    ap.add_argument("--tag", default="latest", help="ref.name annotation in index.json (default latest)")
    ap.add_argument("--layers", type=int, default=1, help="layers per platform (default 1)")
    ap.add_argument("--layer-size", default="1024",
                    help="bytes of random payload per layer, or a comma list with one size per layer (default 1024)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--platforms", default="linux/amd64",
                    help="comma list os/arch[/variant]; more than one makes an image index (default linux/amd64)")
    ap.add_argument("--summary", help="write a JSON summary of all digests and sizes to this file")
    ap.add_argument("--print-digests", action="store_true",
                    help="print one line per object: kind platform digest size (kind: index, manifest, config, "
                         "layer; platform '-' for the index)")
    args = ap.parse_args()

    if args.layers < 0:
        raise SystemExit("make_image.py: --layers must be >= 0")
    sizes = parse_sizes(args.layer_size, args.layers)
    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]
    if not platforms or any("/" not in p for p in platforms):
        raise SystemExit("make_image.py: --platforms needs os/arch entries, got %r" % args.platforms)

    layout = Layout(args.out)
    per_platform, descriptors = [], []
    for n, platform in enumerate(platforms):
        rng = random.Random("%d/%d/%s" % (args.seed, n, platform))
        desc, summary = make_manifest(layout, rng, platform, sizes, args.tag)
        descriptors.append(desc)
        per_platform.append(summary)

    index_desc = None
    if len(platforms) > 1:
        index_desc = layout.add_json({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": descriptors}, MT_INDEX)
        top = index_desc
    else:
        top = per_platform[0]["manifest"]
    layout.finish(top, args.tag)

    blobs = {}
    for p in per_platform:
        for d in [p["manifest"], p["config"]] + p["layers"]:
            blobs[d["digest"]] = d["size"]
    if index_desc:
        blobs[index_desc["digest"]] = index_desc["size"]
    summary = {
        "layout": os.path.abspath(args.out),
        "tag": args.tag,
        "digest": top["digest"],  # what the tag resolves to: the index if multi-arch, else the manifest
        "mediaType": top["mediaType"],
        "size": top["size"],
        "index": index_desc,
        # shortcuts to the first platform, so single-arch tests can say manifest.digest, layers.0.digest
        "manifest": per_platform[0]["manifest"],
        "config": per_platform[0]["config"],
        "layers": per_platform[0]["layers"],
        "platforms": {p["platform"]: p for p in per_platform},
        "blobs": [{"digest": d, "size": s} for d, s in sorted(blobs.items())],
    }
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
    if args.print_digests:
        out = sys.stdout
        if index_desc:
            out.write("index - %s %d\n" % (index_desc["digest"], index_desc["size"]))
        for p in per_platform:
            out.write("manifest %s %s %d\n" % (p["platform"], p["manifest"]["digest"], p["manifest"]["size"]))
            out.write("config %s %s %d\n" % (p["platform"], p["config"]["digest"], p["config"]["size"]))
            for layer in p["layers"]:
                out.write("layer %s %s %d\n" % (p["platform"], layer["digest"], layer["size"]))


if __name__ == "__main__":
    main()
