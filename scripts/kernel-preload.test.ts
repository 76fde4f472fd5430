import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { KERNEL_PRELOAD, withKernelPreload } from "./jupyter";

const ROOT = path.join(__dirname, "..");

/**
 * A child that does what tslab does: many `send()`s on a zeromq Publisher without awaiting any, then reports how
 * many went through synchronously and how many a subscriber received, in order.
 */
const BURST = `
const zmq = require(require.resolve("zeromq", { paths: [process.cwd()] }));
(async () => {
  // No high-water marks: a PUB socket drops what a slow subscriber has not taken (1000 messages by default), and
  // on a loaded machine the subscriber here falls behind the burst; a drop would hang the count, not test the preload.
  const pub = new zmq.Publisher({ sendHighWaterMark: 0 });
  await pub.bind("tcp://127.0.0.1:*");
  const sub = new zmq.Subscriber({ receiveHighWaterMark: 0 });
  sub.connect(pub.lastEndpoint);
  sub.subscribe();
  await new Promise((r) => setTimeout(r, 300)); // let the subscription reach the publisher
  const N = 2000;
  let issued = 0;
  let error = null;
  try {
    for (let i = 0; i < N; i++) { pub.send(String(i)); issued++; }
  } catch (e) { error = e.message; }
  const got = [];
  if (error === null) {
    for await (const [msg] of sub) { got.push(Number(msg.toString())); if (got.length === N) break; }
  }
  const inOrder = got.every((v, i) => v === i);
  console.log(JSON.stringify({ issued, error, received: got.length, inOrder }));
  process.exit(0);
})();
`;

function burst(preload: boolean): { issued: number; error: string | null; received: number; inOrder: boolean } {
  const args = preload ? ["--require", KERNEL_PRELOAD, "-e", BURST] : ["-e", BURST];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
}

test("without the preload, the 513th un-awaited zeromq send throws 'busy writing' (the bug it fixes)", () => {
  const r = burst(false);
  assert.match(r.error ?? "", /busy/i);
  assert.ok(r.issued < 2000, `issued ${r.issued}`);
});

test("with the preload, 2000 un-awaited sends all arrive, in order", { timeout: 90_000 }, () => {
  const r = burst(true);
  assert.equal(r.error, null);
  assert.equal(r.issued, 2000);
  assert.equal(r.received, 2000);
  assert.equal(r.inOrder, true);
});

/**
 * What tslab does with stderr (every write becomes an iopub message), then a send that fails on an open socket, a
 * shutdown (the socket closed) and one more send; the child then waits 200 ms on a timer and says how many reports
 * went through `process.stderr`.
 */
const AFTER_CLOSE = `
const zmq = require(require.resolve("zeromq", { paths: [process.cwd()] }));
(async () => {
  const pub = new zmq.Publisher();
  await pub.bind("tcp://127.0.0.1:*");
  let viaStderr = 0;
  process.stderr.write = (chunk) => { viaStderr++; pub.send(String(chunk)); return true; };
  pub.send(Symbol("not a message"));
  await new Promise((r) => setTimeout(r, 100));
  pub.close();
  pub.send("after the shutdown");
  await new Promise((r) => setTimeout(r, 200));
  console.log(JSON.stringify({ viaStderr }));
  process.exit(0);
})();
`;

test("a failed send is reported on fd 2, not through tslab's stderr, and a closed socket's sends are dropped (no loop)", () => {
  // Before: each report was a send, which failed once the socket was closed, and was reported... the promise jobs
  // starved the timer, and the kernel ignored SIGTERM until it was killed (leaving Chromium's profile behind).
  const r = spawnSync(process.execPath, ["--require", KERNEL_PRELOAD, "-e", AFTER_CLOSE], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, `the child did not get back to its timer (signal ${r.signal})\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { viaStderr: 0 });
  const reports = r.stderr.match(/gen2brain kernel: a message could not be sent/g) ?? [];
  assert.equal(reports.length, 1, r.stderr); // the open socket's failure, not the closed one's
});

test("withKernelPreload prefixes node --require once (idempotent) and keeps the rest of the spec", () => {
  const spec = { argv: ["/x/tslab", "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript" };
  const once = withKernelPreload(spec);
  assert.deepEqual(once.argv, [process.execPath, "--require", KERNEL_PRELOAD, ...spec.argv]);
  assert.equal(once.display_name, "TypeScript");
  assert.deepEqual(withKernelPreload(once), once);
});
