"""Splits a rendered multi-document YAML into built-in kinds and custom resources.

Usage: split_custom.py RENDERED BUILTIN_OUT CUSTOM_KINDS_OUT
Uses only the standard library: documents are split on '---' lines, and apiVersion/kind
are read from top-level lines, which is what `kubectl kustomize` emits.
"""
import sys

BUILTIN_GROUPS = {"v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
                  "admissionregistration.k8s.io/v1", "networking.k8s.io/v1", "batch/v1",
                  "autoscaling/v2"}


def main(rendered, builtin_out, custom_out):
    with open(rendered, encoding="utf-8") as f:
        docs = [d for d in f.read().split("\n---\n") if d.strip()]
    builtin, custom = [], []
    for doc in docs:
        fields = dict(line.split(":", 1) for line in doc.splitlines()
                      if line.startswith(("apiVersion:", "kind:")))
        api = fields.get("apiVersion", "").strip()
        kind = fields.get("kind", "").strip()
        if api in BUILTIN_GROUPS:
            builtin.append(doc)
        else:
            custom.append(f"{api}/{kind}")
    with open(builtin_out, "w", encoding="utf-8") as f:
        f.write("\n---\n".join(builtin) + "\n")
    with open(custom_out, "w", encoding="utf-8") as f:
        f.write("\n".join(custom) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
