import * as path from "path";
import type { Profile } from "../src/config";
import type { BackendInfo } from "../src/run/backend";
import { backendKey, cacheKey, codeVersion } from "../src/run/experiment";
import { currentEngine } from "../src/run/preflight";

/**
 * Where a run keeps its seeds: `<root>/<profile>/<id>/seeds/<run key>`, the key naming the experiment, profile,
 * base seed, resolved config, code and engine with its thread count (which changes the last bits of every result),
 * so that no other run's seeds are mixed in.
 */
export function seedStoreDir(
  root: string,
  id: string,
  profile: Profile,
  seed: number,
  config: unknown,
  info: BackendInfo,
): string {
  const key = cacheKey(id, profile, seed, config, `${backendKey(info)}|${currentEngine() ?? ""}`, codeVersion());
  return path.join(root, profile, id, "seeds", key);
}
