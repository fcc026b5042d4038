import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Imds, PodAttachment } from '../imds/index.js';
import type { MintedToken, MintRequest } from '../oidc/index.js';
import { containerCommand, containerEnv, mountMap, resolvePath } from './container-env.js';
import type { ObjectStore } from './object-store.js';
import { podPhase, tokenNeedsRefresh } from './pod-phase.js';
import { setupVolumes, type TokenFile, writeAtomic } from './pod-volumes.js';
import { StatusError } from './status.js';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from './types.js';

/** What the kubelet needs from the cluster's service-account issuer (ClusterIssuer satisfies it). */
export interface TokenMinter {
  mint(req: MintRequest): Promise<MintedToken>;
}

export interface KubeletDeps {
  readonly objects: ObjectStore;
  readonly issuer: TokenMinter;
  /** Root of the pods' directories; every ancestor must be traversable by the pods' users. */
  readonly podsDir: string;
  readonly node: () => { name: string; uid: string };
  /** The node's address (status.hostIP). */
  readonly hostIP: string;
  readonly imds?: Pick<Imds, 'url' | 'attachPod' | 'detachPod'>;
  /** irsakit's AWS endpoint, given to every pod as AWS_ENDPOINT_URL. */
  readonly awsEndpoint?: string;
  /** Extra variables for every pod (before its own env), e.g. AWS_REGION. */
  readonly podEnv?: Readonly<Record<string, string>>;
  readonly clusterCaPem?: string;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
  /** First restart back-off (the kubelet's is 10 s, doubling to 5 min). */
  readonly restartBackoffMs?: number;
  /** Upper bound on a pod's termination grace period (tests and `up` shutdown). */
  readonly maxGraceMs?: number;
  /** How often token files are checked for refresh; 0 disables the timer (tests call syncTokens). */
  readonly tokenSyncIntervalMs?: number;
}

interface ContainerRuntime {
  readonly spec: Container;
  readonly init: boolean;
  status: ContainerStatus;
  child?: ChildProcess | undefined;
  exited?: Promise<void> | undefined;
  timer?: NodeJS.Timeout | undefined;
}

interface PodRuntime {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  pod: Pod;
  readonly dir: string;
  attachment?: PodAttachment | undefined;
  podIP: string;
  volumeDirs: Map<string, string>;
  tokens: TokenFile[];
  containers: ContainerRuntime[];
  stopping: boolean;
  startedAt: string;
  ready: Promise<void>;
  phaseWaiters: { phases: string[]; resolve: (pod: Pod) => void }[];
}

const MAX_BACKOFF_MS = 300_000;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The node's kubelet: for each pod bound to the node, its directory, volumes and token files (minted from the
 * cluster issuer, bound to the pod, refreshed at 80% of their lifetime), and its containers as local child
 * processes (command + args; images are not pulled) with the pod's environment, user and restart policy.
 */
export function createKubelet(deps: KubeletDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});
  const pods = new Map<string, PodRuntime>();
  const backoffBase = deps.restartBackoffMs ?? 10_000;
  let syncTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function statusOf(rt: PodRuntime): PodStatus {
    const init = rt.containers.filter((c) => c.init).map((c) => c.status);
    const main = rt.containers.filter((c) => !c.init).map((c) => c.status);
    const phase = podPhase(rt.pod.spec, init, main);
    const t = iso(now());
    const prev = rt.pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string): PodCondition => {
      const old = prev.find((c) => c.type === type);
      const status = ok ? 'True' : 'False';
      return {
        type,
        status,
        lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t,
        ...(reason && !ok ? { reason } : {}),
      };
    };
    const initDone = init.every((s) => s.state.terminated?.exitCode === 0);
    const allReady = main.length > 0 && main.every((s) => s.ready);
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    return {
      phase,
      conditions: [
        cond('Initialized', initDone, 'ContainersNotInitialized'),
        cond('Ready', allReady && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady'),
        cond('ContainersReady', allReady && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady'),
        cond('PodScheduled', true),
      ],
      hostIP: deps.hostIP,
      podIP: rt.podIP,
      podIPs: [{ ip: rt.podIP }],
      startTime: rt.startedAt,
      ...(init.length ? { initContainerStatuses: init } : {}),
      containerStatuses: main,
    };
  }

  function publish(rt: PodRuntime): void {
    if (rt.stopping && closed) return;
    const status = statusOf(rt);
    const next: Pod = { ...rt.pod, status };
    const stored = deps.objects.putIfUid(next, rt.uid);
    if (stored) rt.pod = stored;
    for (const w of [...rt.phaseWaiters]) {
      if (w.phases.includes(status.phase)) {
        rt.phaseWaiters.splice(rt.phaseWaiters.indexOf(w), 1);
        w.resolve(rt.pod);
      }
    }
  }

  function setFailedToStart(rt: PodRuntime, reason: string, message: string): void {
    for (const c of rt.containers) {
      if (!c.status.state.running && !c.status.state.terminated)
        c.status.state = { waiting: { reason, message } };
    }
    publish(rt);
    log(`kubelet: pod ${rt.namespace}/${rt.name}: ${reason}: ${message}`);
  }

  async function writeToken(rt: PodRuntime, t: TokenFile): Promise<void> {
    const node = deps.node();
    const minted = await deps.issuer.mint({
      namespace: rt.namespace,
      serviceAccount: rt.pod.spec.serviceAccountName ?? 'default',
      serviceAccountUid: deps.objects.get(
        'ServiceAccount',
        rt.namespace,
        rt.pod.spec.serviceAccountName ?? 'default',
      )?.metadata.uid,
      ...(t.projection.audience ? { audiences: [t.projection.audience] } : {}),
      expirationSeconds: t.projection.expirationSeconds ?? 3600,
      pod: { name: rt.name, uid: rt.uid },
      node: { name: node.name, uid: node.uid },
    });
    writeAtomic(t.path, minted.token, t.owner);
    t.issuedAt = minted.claims.iat * 1000;
    t.expiresAt = minted.expiresAt;
  }

  function baseEnv(rt: PodRuntime): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: rt.pod.spec.hostNetwork ? hostname() : rt.name,
      // A home of the pod's own, so nothing in this machine's ~/.aws reaches the pod's SDKs.
      HOME: join(rt.dir, 'home'),
      IRSAKIT_POD_UID: rt.uid,
    };
    if (deps.awsEndpoint) env.AWS_ENDPOINT_URL = deps.awsEndpoint;
    const imdsUrl = rt.attachment?.url ?? deps.imds?.url;
    if (imdsUrl) env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imdsUrl;
    return { ...env, ...(deps.podEnv ?? {}) };
  }

  function identity(
    rt: PodRuntime,
    c: Container,
  ): { uid?: number; gid?: number; groups: number[]; error?: string } {
    const sc = rt.pod.spec.securityContext ?? {};
    const uid = c.securityContext?.runAsUser ?? sc.runAsUser;
    const runAsGroup = c.securityContext?.runAsGroup ?? sc.runAsGroup;
    const nonRoot = c.securityContext?.runAsNonRoot ?? sc.runAsNonRoot;
    if (nonRoot && (uid === undefined || uid === 0)) {
      return {
        groups: [],
        error: `container has runAsNonRoot and image will run as root (pod: "${rt.name}_${rt.namespace}(${rt.uid})", container: ${c.name})`,
      };
    }
    const groups = [...(sc.fsGroup !== undefined ? [sc.fsGroup] : []), ...(sc.supplementalGroups ?? [])];
    if (!IS_ROOT) {
      if (uid !== undefined && uid !== process.getuid?.()) {
        return {
          groups,
          error: `runAsUser ${uid} needs irsakit to run as root (it runs as uid ${process.getuid?.()})`,
        };
      }
      return { groups: [] };
    }
    return { uid: uid ?? 0, gid: runAsGroup ?? 0, groups };
  }

  function startContainer(rt: PodRuntime, cr: ContainerRuntime): void {
    if (rt.stopping) return;
    const c = cr.spec;
    const mounts = mountMap(c, rt.volumeDirs);
    const envResult = containerEnv(
      c,
      { pod: rt.pod, podIP: rt.podIP, hostIP: deps.hostIP, base: baseEnv(rt) },
      mounts,
    );
    if ('error' in envResult) {
      cr.status.state = { waiting: { reason: 'CreateContainerConfigError', message: envResult.error } };
      publish(rt);
      return;
    }
    const argv = containerCommand(c, envResult.env, mounts);
    if (argv.length === 0) {
      cr.status.state = {
        waiting: {
          reason: 'CreateContainerError',
          message: `irsakit does not pull or run images (${c.image ?? 'no image'}): give container "${c.name}" a command`,
        },
      };
      publish(rt);
      return;
    }
    const who = identity(rt, c);
    if (who.error) {
      cr.status.state = { waiting: { reason: 'CreateContainerConfigError', message: who.error } };
      publish(rt);
      return;
    }
    const logDir = join(rt.dir, 'logs', c.name);
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    const fd = openSync(join(logDir, `${cr.status.restartCount}.log`), 'a', 0o600);
    const cwd = c.workingDir ? resolvePath(c.workingDir, mounts) : '/';
    // Supplementary groups (fsGroup, supplementalGroups): Node's spawn cannot set them, setpriv can; without
    // setpriv the first one becomes the primary group when runAsGroup is unset.
    let file = argv[0]!;
    let args = argv.slice(1);
    const opts: { uid?: number; gid?: number } = {};
    if (who.uid !== undefined) {
      if (who.groups.length > 0 && SETPRIV && who.uid !== 0) {
        args = [
          `--reuid=${who.uid}`,
          `--regid=${who.gid ?? 0}`,
          `--groups=${who.groups.join(',')}`,
          '--',
          file,
          ...args,
        ];
        file = SETPRIV;
      } else {
        opts.uid = who.uid;
        opts.gid = who.gid === 0 && who.groups.length > 0 ? who.groups[0]! : (who.gid ?? 0);
      }
    }
    const startedMs = now();
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd,
        env: envResult.env,
        stdio: ['ignore', fd, fd],
        detached: true,
        ...opts,
      });
    } catch (err) {
      closeSync(fd);
      onExit(rt, cr, 128, null, startedMs, `failed to start container: ${(err as Error).message}`);
      return;
    }
    closeSync(fd);
    cr.child = child;
    let resolveExit!: () => void;
    cr.exited = new Promise((r) => {
      resolveExit = r;
    });
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, message?: string) => {
      if (finished) return;
      finished = true;
      cr.child = undefined;
      onExit(rt, cr, code, signal, startedMs, message);
      resolveExit();
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      const msg =
        err.code === 'ENOENT'
          ? `exec: "${argv[0]}": executable file not found in $PATH`
          : err.code === 'EACCES'
            ? `exec: "${argv[0]}": permission denied`
            : err.message;
      finish(128, null, `failed to create task for container: ${msg}: unknown`);
    });
    child.once('exit', (code, signal) => finish(code, signal));
    if (child.pid !== undefined) {
      cr.status.state = { running: { startedAt: iso(startedMs) } };
      cr.status.containerID = `irsakit://${child.pid}`;
      cr.status.started = true;
      cr.status.ready = !cr.init;
      publish(rt);
    }
  }

  const SIGNALS: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };

  function onExit(
    rt: PodRuntime,
    cr: ContainerRuntime,
    code: number | null,
    signal: NodeJS.Signals | null,
    startedMs: number,
    message?: string,
  ): void {
    const exitCode = code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0);
    const terminated: NonNullable<ContainerState['terminated']> = {
      exitCode,
      ...(signal ? { signal: SIGNALS[signal] ?? 0 } : {}),
      reason: message ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error',
      ...(message ? { message } : {}),
      startedAt: iso(startedMs),
      finishedAt: iso(now()),
      ...(cr.status.containerID ? { containerID: cr.status.containerID } : {}),
    };
    cr.status.state = { terminated };
    cr.status.ready = false;
    if (rt.stopping) {
      publish(rt);
      return;
    }
    const policy = rt.pod.spec.restartPolicy ?? 'Always';
    if (cr.init) {
      if (exitCode === 0) {
        publish(rt);
        runNext(rt);
        return;
      }
      if (policy === 'Never') {
        publish(rt);
        return;
      }
    } else {
      const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
      if (!restart) {
        publish(rt);
        return;
      }
    }
    // Restart after the kubelet's back-off, doubling from the base up to 5 minutes.
    const delay = Math.min(backoffBase * 2 ** Math.min(cr.status.restartCount, 10), MAX_BACKOFF_MS);
    cr.status.lastState = { terminated };
    cr.status.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${cr.spec.name} pod=${rt.name}_${rt.namespace}(${rt.uid})`,
      },
    };
    publish(rt);
    cr.timer = setTimeout(() => {
      cr.timer = undefined;
      if (rt.stopping) return;
      cr.status.restartCount++;
      startContainer(rt, cr);
    }, delay);
    cr.timer.unref?.();
  }

  /** Init containers one at a time, in order; then every container at once. */
  function runNext(rt: PodRuntime): void {
    const pendingInit = rt.containers.find((c) => c.init && c.status.state.terminated?.exitCode !== 0);
    if (pendingInit) {
      if (!pendingInit.child && !pendingInit.timer) startContainer(rt, pendingInit);
      return;
    }
    for (const c of rt.containers)
      if (!c.init && !c.child && !c.timer && !c.status.state.terminated) startContainer(rt, c);
  }

  function newStatus(c: Container): ContainerStatus {
    return {
      name: c.name,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image ?? '',
      imageID: '',
      started: false,
    };
  }

  async function startPod(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    if (pods.has(uid) || closed) return;
    const rt: PodRuntime = {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      pod,
      dir: join(deps.podsDir, uid),
      podIP: deps.hostIP,
      volumeDirs: new Map(),
      tokens: [],
      containers: [
        ...(pod.spec.initContainers ?? []).map((c) => ({ spec: c, init: true, status: newStatus(c) })),
        ...pod.spec.containers.map((c) => ({ spec: c, init: false, status: newStatus(c) })),
      ],
      stopping: false,
      startedAt: iso(now()),
      ready: Promise.resolve(),
      phaseWaiters: [],
    };
    // Restarted pods (irsakit restarted) keep their restart counts.
    for (const cr of rt.containers) {
      const old = [
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.containerStatuses ?? []),
      ].find((s) => s.name === cr.spec.name);
      if (old) cr.status.restartCount = old.restartCount + (old.state.running ? 1 : 0);
    }
    pods.set(uid, rt);
    // The pod's containers are being created (a resumed pod no longer shows the previous run's state).
    publish(rt);
    try {
      mkdirSync(deps.podsDir, { recursive: true, mode: 0o711 });
      mkdirSync(rt.dir, { recursive: true });
      chmodSync(rt.dir, 0o755);
      mkdirSync(join(rt.dir, 'home'), { recursive: true });
      chmodSync(join(rt.dir, 'home'), 0o1777);
      if (!pod.spec.hostNetwork && deps.imds) {
        rt.attachment = await deps.imds.attachPod({ namespace: rt.namespace, name: rt.name, uid });
        rt.podIP = rt.attachment.address;
      }
      if (rt.stopping) return;
      const vols = setupVolumes(pod, rt.dir, {
        clusterCaPem: deps.clusterCaPem ?? '',
        podIP: rt.podIP,
        hostIP: deps.hostIP,
      });
      if ('error' in vols) return setFailedToStart(rt, 'ContainerCreating', vols.error);
      rt.volumeDirs = vols.dirs;
      rt.tokens = vols.tokens;
      await Promise.all(rt.tokens.map((t) => writeToken(rt, t)));
    } catch (err) {
      return setFailedToStart(rt, 'ContainerCreating', `MountVolume.SetUp failed: ${(err as Error).message}`);
    }
    if (rt.stopping) return;
    runNext(rt);
    publish(rt);
  }

  async function stopPod(uid: string, removeFiles: boolean): Promise<void> {
    const rt = pods.get(uid);
    if (!rt) return;
    rt.stopping = true;
    const graceMs = Math.min(
      (rt.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000,
      deps.maxGraceMs ?? 30_000,
    );
    const waits: Promise<void>[] = [];
    for (const cr of rt.containers) {
      if (cr.timer) clearTimeout(cr.timer);
      cr.timer = undefined;
      const child = cr.child;
      if (!child?.pid || !cr.exited) continue;
      const pid = child.pid;
      // Each container is its own process group: the signal reaches everything it started.
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      const hard = setTimeout(() => kill('SIGKILL'), graceMs);
      waits.push(cr.exited.then(() => clearTimeout(hard)));
    }
    await Promise.all(waits);
    // Descendants that left the process group die with the group leader's kill; this sweeps any still there.
    for (const cr of rt.containers) {
      const id = cr.status.containerID?.replace('irsakit://', '');
      if (id) {
        try {
          process.kill(-Number(id), 'SIGKILL');
        } catch {
          // none left
        }
      }
    }
    pods.delete(uid);
    if (rt.attachment && deps.imds) await deps.imds.detachPod(uid);
    if (removeFiles) rmSync(rt.dir, { recursive: true, force: true });
  }

  /**
   * Processes a previous irsakit left behind (it was killed with SIGKILL, so it could not stop its pods): every
   * container carries IRSAKIT_POD_UID in its environment; any process of one of this cluster's pods that is not
   * ours is killed before the pods are resumed. Linux only (/proc).
   */
  function sweepLeftovers(): void {
    const uids = new Set(deps.objects.list<Pod>('Pod').map((p) => p.metadata.uid));
    if (uids.size === 0 || !existsSync('/proc/self/environ')) return;
    let entries: string[];
    try {
      entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
    } catch {
      return;
    }
    for (const pid of entries) {
      if (Number(pid) === process.pid) continue;
      let environ: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch {
        continue;
      }
      const m = /(?:^|\0)IRSAKIT_POD_UID=([^\0]+)/.exec(environ);
      if (!m || !uids.has(m[1]!)) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
        log(`kubelet: killed process ${pid} left behind by a previous run (pod uid ${m[1]})`);
      } catch {
        // gone already
      }
    }
  }

  async function syncTokens(): Promise<number> {
    let written = 0;
    const t = now();
    for (const rt of pods.values()) {
      if (rt.stopping) continue;
      const phase = rt.pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      for (const tok of rt.tokens) {
        if (!tokenNeedsRefresh(tok.issuedAt, tok.expiresAt, t)) continue;
        try {
          await writeToken(rt, tok);
          written++;
        } catch (err) {
          log(
            `kubelet: refreshing ${tok.path} of pod ${rt.namespace}/${rt.name} failed: ${(err as Error).message}`,
          );
        }
      }
    }
    return written;
  }

  function runtimeFor(namespace: string, name: string): PodRuntime | undefined {
    for (const rt of pods.values()) if (rt.namespace === namespace && rt.name === name) return rt;
    return undefined;
  }

  function pickContainer(
    rt: PodRuntime | undefined,
    pod: Pod,
    container: string | undefined,
    forExec: boolean,
  ): ContainerRuntime | undefined {
    const names = pod.spec.containers.map((c) => c.name);
    if (!container) {
      if (names.length > 1 && !forExec) {
        throw new StatusError(
          400,
          'BadRequest',
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`,
        );
      }
      container = names[0];
    }
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
    if (!all.includes(container!)) {
      throw new StatusError(
        400,
        'BadRequest',
        `container ${container} is not valid for pod ${pod.metadata.name}`,
      );
    }
    return rt?.containers.find((c) => c.spec.name === container);
  }

  return {
    podCreated(pod: Pod): void {
      const p = startPod(pod);
      const rt = pods.get(pod.metadata.uid!);
      if (rt) rt.ready = p;
      p.catch((err: Error) =>
        log(`kubelet: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}`),
      );
    },
    async podDeleted(pod: Pod): Promise<void> {
      await stopPod(pod.metadata.uid!, true);
    },
    /** Resumes every non-terminal pod bound to this node (after irsakit restarts, as after a node reboot). */
    start(): void {
      closed = false;
      sweepLeftovers();
      const node = deps.node().name;
      for (const pod of deps.objects.list<Pod>('Pod')) {
        const phase = pod.status?.phase;
        if (pod.spec.nodeName !== node || phase === 'Succeeded' || phase === 'Failed') continue;
        this.podCreated(pod);
      }
      const every = deps.tokenSyncIntervalMs ?? 10_000;
      if (every > 0 && !syncTimer) {
        syncTimer = setInterval(() => void syncTokens(), every);
        syncTimer.unref?.();
      }
    },
    /** Stops every pod's processes (their records stay; start() resumes them). */
    async stop(): Promise<void> {
      closed = true;
      if (syncTimer) clearInterval(syncTimer);
      syncTimer = undefined;
      await Promise.all([...pods.values()].map((rt) => rt.ready.catch(() => {})));
      await Promise.all([...pods.keys()].map((uid) => stopPod(uid, false)));
    },
    syncTokens,
    /** Resolves when the pod reaches one of the phases (or at once if it already has). */
    waitForPhase(namespace: string, name: string, phases: string[], timeoutMs = 30_000): Promise<Pod> {
      const rt = runtimeFor(namespace, name);
      const current = rt?.pod ?? deps.objects.get<Pod>('Pod', namespace, name);
      if (current?.status && phases.includes(current.status.phase)) return Promise.resolve(current);
      if (!rt)
        return Promise.reject(new StatusError(404, 'NotFound', `pods "${name}" is not running on this node`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `pod ${namespace}/${name} did not reach ${phases.join('/')} in ${timeoutMs} ms (phase ${rt.pod.status?.phase})`,
              ),
            ),
          timeoutMs,
        );
        rt.phaseWaiters.push({
          phases,
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p);
          },
        });
      });
    },
    /** Where a pod's files live on this machine (volumes, logs). */
    podDir(namespace: string, name: string): string | undefined {
      return runtimeFor(namespace, name)?.dir;
    },
    tokenFiles(namespace: string, name: string): readonly TokenFile[] {
      return runtimeFor(namespace, name)?.tokens ?? [];
    },
    logs(pod: Pod, container: string | undefined, previous: boolean): string {
      const rt = pods.get(pod.metadata.uid!);
      const cr = pickContainer(rt, pod, container, false);
      const name = cr?.spec.name ?? container ?? pod.spec.containers[0]!.name;
      const status =
        cr?.status ??
        [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
          (s) => s.name === name,
        );
      const count = status?.restartCount ?? 0;
      if (previous && count === 0) {
        throw new StatusError(
          400,
          'BadRequest',
          `previous terminated container "${name}" in pod "${pod.metadata.name}" not found`,
        );
      }
      const dir = rt?.dir ?? join(deps.podsDir, pod.metadata.uid!);
      const file = join(dir, 'logs', name, `${previous ? count - 1 : count}.log`);
      if (!existsSync(file)) {
        const waiting = status?.state.waiting;
        throw new StatusError(
          400,
          'BadRequest',
          `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`,
        );
      }
      return readFileSync(file, 'utf8');
    },
    /** Runs a command in a container's context (env, user, paths), as `kubectl exec` does, and collects its output. */
    exec(
      pod: Pod,
      container: string | undefined,
      command: string[],
      stdin = '',
      timeoutMs = 60_000,
    ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        throw new StatusError(
          400,
          'BadRequest',
          `cannot exec into a container in a completed pod; current phase is ${phase}`,
        );
      }
      const rt = pods.get(pod.metadata.uid!);
      const cr = pickContainer(rt, pod, container, true);
      if (!rt || !cr?.child) {
        throw new StatusError(
          400,
          'BadRequest',
          `unable to upgrade connection: container not found ("${cr?.spec.name ?? container ?? ''}")`,
        );
      }
      if (command.length === 0)
        throw new StatusError(400, 'BadRequest', 'you must specify at least one command for the container');
      const mounts = mountMap(cr.spec, rt.volumeDirs);
      const envResult = containerEnv(
        cr.spec,
        { pod: rt.pod, podIP: rt.podIP, hostIP: deps.hostIP, base: baseEnv(rt) },
        mounts,
      );
      if ('error' in envResult) throw new StatusError(500, 'InternalError', envResult.error);
      const argv = command.map((a) => resolvePath(a, mounts));
      const who = identity(rt, cr.spec);
      const opts: { uid?: number; gid?: number } = {};
      if (who.uid !== undefined) {
        opts.uid = who.uid;
        opts.gid = who.gid === 0 && who.groups.length > 0 ? who.groups[0]! : (who.gid ?? 0);
      }
      const cwd = cr.spec.workingDir ? resolvePath(cr.spec.workingDir, mounts) : '/';
      return new Promise((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { cwd, env: envResult.env, stdio: 'pipe', ...opts });
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString('utf8');
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString('utf8');
        });
        child.once('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          const msg =
            err.code === 'ENOENT' ? `exec: "${argv[0]}": executable file not found in $PATH` : err.message;
          resolve({
            stdout,
            stderr: `${stderr}OCI runtime exec failed: exec failed: ${msg}: unknown\n`,
            exitCode: 126,
          });
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ stdout, stderr, exitCode: code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0) });
        });
        // The command may exit before reading its stdin (`cat FILE`): EPIPE then is not an exec failure,
        // and an unhandled stream error would take the whole instance down.
        child.stdin.on('error', () => {});
        child.stdin.end(stdin);
      });
    },
  };
}

export type Kubelet = ReturnType<typeof createKubelet>;
