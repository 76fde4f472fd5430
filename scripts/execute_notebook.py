"""Execute one notebook with nbclient and report the first failing cell's own error text.

Usage: execute_notebook.py SRC.ipynb OUT.ipynb [--timeout S] [--kernel tslab]
Exit 0 when every cell ran; 1 when a cell failed (its index, source head, error and stderr are printed);
2 on usage or kernel errors. The executed copy is always written (atomically), also after a failure.
Called by scripts/run-notebooks.ts; nbconvert's own message on a tslab failure is empty, hence this.
"""
import argparse
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def failing_cell(nb):
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return i, cell
    return None, None


def cell_error_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            tb = "\n".join(out.get("traceback", []) or [])
            head = f"{ename}: {evalue}" if ename else evalue
            parts.append("\n".join(p for p in [head, tb] if p.strip()))
    text = "\n".join(p.rstrip() for p in parts if p and p.strip())
    return text or "(the cell failed without any error text)"


def write_atomic(nb, path):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    os.close(fd)
    try:
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--kernel", default="tslab")
    a = ap.parse_args()
    nb = nbformat.read(a.src, as_version=4)
    client = NotebookClient(
        nb, timeout=a.timeout, kernel_name=a.kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(a.src))}},
    )
    status, message = 0, ""
    current = {"index": None}

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    client.on_cell_start = on_cell_start
    try:
        client.execute()
    except CellExecutionError:
        status = 1
    except CellTimeoutError as e:
        status, message = 1, f"a cell ran past the timeout of {a.timeout} s ({e})"
    except DeadKernelError as e:
        status, message = 1, f"the kernel died: {e}"
    except Exception as e:  # kernel missing, bad notebook
        status, message = 2, f"{type(e).__name__}: {e}"
    finally:
        write_atomic(nb, a.out)
    if status != 0:
        idx, cell = failing_cell(nb)
        if cell is None and status == 1 and current["index"] is not None:
            idx = current["index"]
            cell = nb.cells[idx]
        name = os.path.basename(a.src)
        if cell is not None:
            src = cell.get("source", "")
            head = "\n".join(src.splitlines()[:6])
            print(f"FAILED {name}: cell {idx} (code):\n---\n{head}\n---\n{cell_error_text(cell)}", file=sys.stderr)
        else:
            print(f"FAILED {name}: {message or 'execution failed'}", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
