#!/usr/bin/env node
/*
 * Build the optional native addon at install time: `npm install` runs this as postinstall,
 * `npm run build:native` runs it by hand. It never fails the install: without a compiler, Node's
 * headers or a BLAS, gen2brain runs on the wasm backend alone. GEN2BRAIN_NATIVE=0 skips the build.
 *
 * Tries node-gyp (npm's bundled copy, offline with the local headers), then a direct `cc` call.
 * Output: native/build/Release/g2b_native.node.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { marchFlags, readCpuinfo } = require("./march");

const here = __dirname;
const out = path.join(here, "build", "Release", "g2b_native.node");

function log(msg) {
  console.log(`[gen2brain native] ${msg}`);
}

function headersDir() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include", "node"),
    path.resolve(path.dirname(process.execPath), "..", "include", "node"),
    "/usr/include/node",
    "/usr/local/include/node",
  ].filter(Boolean);
  for (const c of candidates) if (fs.existsSync(path.join(c, "node_api.h"))) return c;
  return null;
}

function nodeGypScript() {
  const candidates = [];
  if (process.env.npm_execpath)
    candidates.push(
      path.join(path.dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    );
  candidates.push(
    path.resolve(
      path.dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  );
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

function tryNodeGyp(include) {
  const gyp = nodeGypScript();
  if (gyp === null) return "node-gyp not found";
  const nodedir = path.resolve(include, "..", "..");
  const r = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`], {
    cwd: here,
    stdio: "pipe",
    encoding: "utf8",
    timeout: 300000,
  });
  if (r.status === 0 && fs.existsSync(out)) return null;
  return `node-gyp failed: ${(r.stderr || r.stdout || String(r.error)).split("\n").filter(Boolean).slice(-3).join(" | ")}`;
}

function tryCc(include) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const cc = process.env.CC || "cc";
  const args = [
    "-O3",
    ...marchFlags(process.arch, readCpuinfo()),
    "-fno-math-errno",
    "-ffp-contract=off",
    "-fopenmp",
    "-shared",
    "-fPIC",
    "-DNODE_GYP_MODULE_NAME=g2b_native",
    `-I${include}`,
    path.join(here, "g2b_native.c"),
    "-o",
    out,
    "-ldl",
    "-fopenmp",
  ];
  const r = spawnSync(cc, args, { stdio: "pipe", encoding: "utf8", timeout: 300000 });
  if (r.status === 0 && fs.existsSync(out)) return null;
  return `${cc} failed: ${(r.stderr || String(r.error)).split("\n").filter(Boolean).slice(-3).join(" | ")}`;
}

function main() {
  if (process.env.GEN2BRAIN_NATIVE === "0") return log("skipped (GEN2BRAIN_NATIVE=0)");
  if (process.platform === "win32")
    return log("skipped: the addon is built for Linux/macOS only; the wasm backend is used");
  const include = headersDir();
  if (include === null) return log("skipped: Node's headers (node_api.h) not found; the wasm backend is used");
  const e1 = tryNodeGyp(include);
  if (e1 === null) return log(`built ${path.relative(process.cwd(), out)} with node-gyp`);
  const e2 = tryCc(include);
  if (e2 === null) return log(`built ${path.relative(process.cwd(), out)} with cc (${e1})`);
  log(`not built (optional; the wasm backend is used): ${e1}; ${e2}`);
}

try {
  main();
} catch (e) {
  log(`not built (optional): ${e && e.message}`);
}
