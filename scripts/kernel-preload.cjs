/**
 * Preloaded into the tslab kernel (`node --require scripts/kernel-preload.cjs …/tslab/dist/main.js kernel …`,
 * written into kernel.json by scripts/jupyter.ts installKernel): make every zeromq socket send one message at a time.
 *
 * Why: tslab 1.0.22 calls `sock.send()` without awaiting it. zeromq 6 sends synchronously at most 512 times
 * without a turn of the event loop (max_sync_operations in its socket.cc); the next send is scheduled, and a send
 * issued while that one waits throws "Socket is busy writing; only one send operation may be in progress at any
 * time" synchronously, which kills the kernel. A cell that displays (progress bars, figures, logs) many times
 * between two awaits hits it; notebook 06 at `quick` died of it three times. Patching from notebook code did not
 * help: it must happen before tslab loads zeromq, on the same module instance, hence this preload.
 *
 * Sends keep their order. A send that fails is reported on stderr (the kernel's log), not thrown: an iopub
 * message lost is better than a dead kernel. The report goes to file descriptor 2 itself, not `process.stderr`:
 * tslab sends whatever is written to `process.stderr` as an iopub message, so once the kernel has closed its
 * sockets (a shutdown request) a failed send reported there was another failed send, and so on in a loop of
 * promise jobs that starved the event loop: the kernel ignored SIGTERM until Jupyter killed it (SIGKILL), and
 * Chromium's profile (figures, playwright) was left in the temporary folder by every notebook run. Sends on a
 * socket closed on purpose are dropped without a word: nobody is listening.
 */
"use strict";
const fs = require("fs");
const path = require("path");

// Each socket's last pending send; a WeakMap because zeromq seals its socket objects.
const QUEUES = new WeakMap();
const PATCHED = Symbol.for("gen2brain.kernel.sendSerialized");

/** Make `proto.send` serial (idempotent). Returns whether it patched. */
function serializeSends(proto) {
  const send = proto && proto.send;
  if (typeof send !== "function" || send[PATCHED]) return false;
  const serial = function (...args) {
    const prev = QUEUES.get(this) || Promise.resolve();
    const next = prev
      .then(() => send.apply(this, args))
      .catch((e) => {
        if (this.closed) return;
        try {
          fs.writeSync(2, `gen2brain kernel: a message could not be sent: ${e && e.message ? e.message : e}\n`);
        } catch {
          // stderr gone too: nothing more to do
        }
      });
    QUEUES.set(this, next);
    return next;
  };
  serial[PATCHED] = true;
  // zeromq defines send read-only on its base Socket prototype: an own, configurable property shadows it.
  Object.defineProperty(proto, "send", { value: serial, writable: true, configurable: true, enumerable: false });
  return true;
}

/** Patch the zeromq that `fromDir` (tslab's folder) resolves, before anyone sends. */
function patchZeromq(fromDir) {
  const zmq = require(require.resolve("zeromq", { paths: [fromDir] }));
  const patched = [];
  for (const name of ["Publisher", "Router", "Reply", "Dealer", "Request", "Push", "Pair", "XPublisher"]) {
    if (zmq[name] && serializeSends(zmq[name].prototype)) patched.push(name);
  }
  return patched;
}

module.exports = { serializeSends, patchZeromq };

if (process.env.GEN2BRAIN_KERNEL_PRELOAD !== "0") {
  let tslabDir = process.cwd();
  try {
    tslabDir = path.dirname(require.resolve("tslab/package.json", { paths: [__dirname, process.cwd()] }));
  } catch {
    // tslab not resolvable from here: fall back to the working directory's zeromq.
  }
  try {
    patchZeromq(tslabDir);
  } catch (e) {
    process.stderr.write(`gen2brain kernel: zeromq not patched (${e && e.message ? e.message : e})\n`);
  }
}
