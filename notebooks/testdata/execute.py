"""Execute a notebook through a Jupyter kernel with nbclient, the way
nbconvert --execute does, and report what the frontend received.

usage: execute.py NOTEBOOK OUT.ipynb SUMMARY.json [KERNEL]

The executed notebook is written to OUT.ipynb. SUMMARY.json gets, per code
cell, the status of its execute_reply ("ok", "error", or "" when it never
ran), the counts of each iopub message type (display_data,
update_display_data, stream, error, …) and the error text, if any. The exit
status is 1 when a cell failed.
"""
import collections
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


class CountingClient(NotebookClient):
    """A NotebookClient that counts the iopub messages of each cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = collections.defaultdict(collections.Counter)
        self.replies = {}

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        if exec_reply is not None:
            content = exec_reply["content"]
            self.replies[cell_index] = {"status": content.get("status", ""), "ename": content.get("ename", ""),
                                        "evalue": content.get("evalue", ""),
                                        "execution_count": content.get("execution_count")}
        return await super()._check_raise_for_error(cell, cell_index, exec_reply)

    def process_message(self, msg, cell, cell_index):
        self.counts[cell_index][msg["msg_type"]] += 1
        return super().process_message(msg, cell, cell_index)


def main():
    src, out, summary = sys.argv[1:4]
    kernel = sys.argv[4] if len(sys.argv) > 4 else "supersonic"
    nb = nbformat.read(src, as_version=4)
    client = CountingClient(nb, kernel_name=kernel, timeout=3600,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
    failed = None
    try:
        client.execute()
    except CellExecutionError as e:
        failed = str(e)
    nbformat.write(nb, out)
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stderr")
        stdout = "".join(o.get("text", "") for o in cell.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stdout")
        cells.append({
            "index": i,
            "source": cell.source,
            "reply": client.replies.get(i, {"status": ""}),
            "messages": dict(client.counts.get(i, {})),
            "errors": [e.get("ename", "") + ": " + e.get("evalue", "") for e in errors],
            "stdout": stdout,
            "stderr": stderr,
        })
    with open(summary, "w") as f:
        json.dump({"failed": failed, "cells": cells}, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
