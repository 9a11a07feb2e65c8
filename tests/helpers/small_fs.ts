/**
 * A small filesystem that really fills, for disk-full tests: a tmpfs mounted by root, by
 * passwordless sudo, or inside a user+mount namespace (`unshare -rm`) that only the child sees.
 * @module
 */

/** A tmpfs of a fixed size, and how a child process gets to see it. */
export interface SmallFs extends AsyncDisposable {
  /** Where the filesystem is mounted, as the child sees it. */
  dir: string;
  /** How it was mounted: "mount", "sudo mount" or "unshare -rm". */
  how: string;
  /** Command words to put before the child's own (empty unless the mount lives in a namespace). */
  prefix: string[];
  /** `dir` as this process reaches it, once the child (process id `pid`) runs. */
  view(pid: number): string;
}

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false; // Not installed.
  }
}

/**
 * A tmpfs of `bytes` on a fresh directory, or the reason none can be had here (no root, no
 * passwordless sudo, and unprivileged user namespaces disabled).
 */
export async function smallFs(bytes: number): Promise<SmallFs | string> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-smallfs-" });
  const uid = Deno.uid() ?? 0;
  const options = `size=${bytes},uid=${uid},gid=${Deno.gid() ?? 0},mode=0700`;
  const mountArgs = ["-t", "tmpfs", "-o", options, "tmpfs", dir];
  const removeDir = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  for (const sudo of [[], ["sudo", "-n"]]) {
    const [cmd, ...pre] = [...sudo, "mount"];
    if (await succeeds(cmd, [...pre, ...mountArgs])) {
      return {
        dir,
        how: [...sudo.slice(0, 1), "mount"].join(" "),
        prefix: [],
        view: () => dir,
        [Symbol.asyncDispose]: async () => {
          const [ucmd, ...upre] = [...sudo, "umount"];
          await succeeds(ucmd, [...upre, dir]);
          await removeDir();
        },
      };
    }
  }
  // The mount exists only in the child's namespace; this process reaches it via /proc/<pid>/root.
  const script = `mount -t tmpfs -o size=${bytes},mode=0700 tmpfs "$0" && exec "$@"`;
  if (await succeeds("unshare", ["-rm", "sh", "-c", script, dir, "true"])) {
    return {
      dir,
      how: "unshare -rm",
      prefix: ["unshare", "-rm", "sh", "-c", script, dir],
      view: (pid) => `/proc/${pid}/root${dir}`,
      [Symbol.asyncDispose]: removeDir,
    };
  }
  await removeDir();
  return "cannot mount a small tmpfs: not root, no passwordless sudo, and `unshare -rm` " +
    "(unprivileged user namespaces) is not allowed here";
}
