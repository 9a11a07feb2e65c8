/** Redis hashes commands (to be filled in by the data-model work). */
import type { CommandSpec } from "../command.ts";

/** The hashes command family. */
export const COMMANDS: CommandSpec[] = [];
