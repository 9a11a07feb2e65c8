/** Redis keys commands (to be filled in by the data-model work). */
import type { CommandSpec } from "../command.ts";

/** The keys command family. */
export const COMMANDS: CommandSpec[] = [];
