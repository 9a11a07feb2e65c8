/**
 * Overlapping and conflicting document paths, as DynamoDB reports them for update and
 * projection expressions.
 * @module
 */
import type { Path } from "./ast.ts";
import { MESSAGES } from "./errors.ts";
import type { Issues } from "./issues.ts";
import { formatPath } from "./paths.ts";

/**
 * Records overlapping (one path a prefix of another) and conflicting (a key where another path
 * has an index) document paths, comparing each path with the ones before it.
 */
export function checkPathSet(paths: Path[], issues: Issues): void {
  const seen: Path[] = [];
  for (const path of paths) {
    for (const earlier of seen) {
      const length = Math.min(earlier.length, path.length);
      let overlap = true;
      for (let i = 0; i < length; i++) {
        if (typeof earlier[i] !== typeof path[i]) {
          issues.add("pathConflict", MESSAGES.pathConflict(formatPath(earlier), formatPath(path)));
          overlap = false;
          break;
        }
        if (earlier[i] !== path[i]) {
          overlap = false;
          break;
        }
      }
      if (overlap) {
        issues.add("pathOverlap", MESSAGES.pathOverlap(formatPath(earlier), formatPath(path)));
        return;
      }
    }
    seen.push(path);
  }
}
