// The /dvol API in one table: every route's method and path, its query, body and answer, the lines
// of its NDJSON stream, and the error body. The server's handlers answer these types and the CLI's
// client is typed by them, so a change on one side that the other does not follow fails typecheck.
// Types only (the CLI imports this module type-only); docs/api.md describes the same routes.

import type { WireEntry } from '../storage/diff-json.js';
import type { ErrorCode } from '../storage/errors.js';
import type {
  BranchInfo,
  Commit,
  DiffTotals,
  FetchResult,
  FsckProblem,
  PullResult,
  PushResult,
  RemoteInfo,
  Status,
  TagInfo,
  VolumeInfo,
  VolumeSummary,
} from '../storage/model.js';
import type {
  ActiveBody,
  CheckoutBody,
  CloneBody,
  CommitBody,
  FetchBody,
  InitBody,
  PullBody,
  PushBody,
  RefBody,
  RemoteBody,
  ResetBody,
  MirrorAddBody,
  PolicyBody,
  ScheduleBody,
  TagBody,
} from './bodies.js';
import type { DuAnswer } from './du.js';
import type { EventLine, WatchingLine } from './events.js';
import type { MirrorAnswer, MirrorList } from './mirror.js';
import type { ScheduleAnswer, SchedulesAnswer, SnapshotsAnswer } from './schedule.js';

/** Every failed answer (4xx, 5xx) and the last line of a stream that failed. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string };
}

/** Names of the running containers that an operation stopped and started again. */
export interface Restarted {
  restarted: string[];
}

export interface VersionAnswer {
  /** The plugin's dvol version. */
  version: string;
  /** The API version it speaks (src/api/version.ts). */
  api: string;
  defaultDriver: string;
}
export interface ListAnswer {
  volumes: (VolumeSummary & { containers: string[] })[];
  active: string | null;
}
export interface InspectAnswer {
  volume: VolumeInfo;
  status: Status;
  containers: string[];
}
export interface CheckoutAnswer extends Restarted {
  branch: BranchInfo;
  /** Present for checkout -b: the branch and commit the new branch was made from. */
  from?: { branch: string; commit: string | null };
}
export interface ResetAnswer extends Restarted {
  commit: Commit;
  /** Commits no branch or tag referenced any more, deleted by the reset. */
  removed: Commit[];
}
/** The first line of a diff stream, and the head of its summary. */
export interface DiffHead {
  from: Commit | null;
  to: Commit | null;
  branch: string;
}
/** Lines of the diff stream after its head: entries, then totals (or an error). */
export type DiffLine = { entry: WireEntry } | { totals: DiffTotals } | ErrorBody;

/** The diff's query: REF, REF2 or `working` (the working data); both default as `dvol diff` does. */
export interface DiffQuery {
  from?: string;
  to?: string;
}
export type { FetchResult, PushResult, RemoteInfo };
type Empty = Record<string, never>;

/** A remote URL as the plugin reads it, so the CLI knows which credentials to send. */
export interface RemoteUrlAnswer {
  /** Where the data goes: `127.0.0.1:5000/team/db`, `/mnt/share/db`. */
  location: string;
  /** The registry's key in ~/.docker/config.json; absent for a directory. */
  credentialKey?: string;
  /** The branch of `URL:BRANCH`, when given. */
  branch?: string;
  url: string;
}
/**
 * The transfers' query: with progress=1 the answer is NDJSON, `{"progress": line}` lines as the
 * transfer goes, then `{"result": answer}` (or an error line).
 */
export interface ProgressQuery {
  progress?: '1';
}
/** A line of a transfer answered with progress=1. */
export type ProgressLine<A> = { progress: string } | { result: A } | ErrorBody;

export interface PushAnswer extends PushResult {
  /** Set when the pushed branch is readable without credentials (checked after a push with them). */
  public?: true;
}
export interface PullAnswer extends Restarted {
  fetch: FetchResult;
  pull: PullResult;
}
export interface CloneAnswer {
  volume: VolumeInfo;
  fetch: FetchResult;
  branch: string;
}

/**
 * The routes, keyed `METHOD /path` with `:param` segments. `query` and `body` are what a request
 * sends, `answer` the JSON of its 2xx response.
 */
export interface DvolRoutes {
  'GET /dvol/version': { answer: VersionAnswer };
  'GET /dvol/volumes': { answer: ListAnswer };
  'POST /dvol/volumes': { body: InitBody; answer: { volume: VolumeInfo } };
  'GET /dvol/volumes/:vol': { answer: InspectAnswer };
  'DELETE /dvol/volumes/:vol': { answer: Empty };
  'GET /dvol/active': { answer: { active: string | null } };
  'PUT /dvol/active': { body: ActiveBody; answer: { active: string } };
  'GET /dvol/fsck': { answer: { problems: FsckProblem[] } };
  'GET /dvol/volumes/:vol/fsck': { answer: { problems: FsckProblem[] } };
  'GET /dvol/volumes/:vol/commits': { query: { ref?: string }; answer: { commits: Commit[] } };
  'POST /dvol/volumes/:vol/commits': { body: CommitBody; answer: { commit: Commit } };
  'POST /dvol/volumes/:vol/commits/delete': { body: RefBody; answer: { commit: Commit } };
  'GET /dvol/volumes/:vol/resolve': { query: { ref: string }; answer: { commit: Commit } };
  'POST /dvol/volumes/:vol/reset': { body: ResetBody; answer: ResetAnswer };
  'GET /dvol/volumes/:vol/tags': { answer: { tags: TagInfo[] } };
  'POST /dvol/volumes/:vol/tags': { body: TagBody; answer: { tag: TagInfo } };
  'DELETE /dvol/volumes/:vol/tags/:tag': { answer: Empty };
  'GET /dvol/volumes/:vol/branches': { answer: { branches: BranchInfo[] } };
  'POST /dvol/volumes/:vol/checkout': { body: CheckoutBody; answer: CheckoutAnswer };
  'DELETE /dvol/volumes/:vol/branches/:branch': { query: { force?: '1' }; answer: { removed: Commit[] } };
  'GET /dvol/remote-url': { query: { url: string }; answer: RemoteUrlAnswer };
  'GET /dvol/volumes/:vol/remotes': { answer: { remotes: (RemoteInfo & { credentialKey?: string })[] } };
  'POST /dvol/volumes/:vol/remotes': { body: RemoteBody; answer: { remote: RemoteInfo } };
  'DELETE /dvol/volumes/:vol/remotes/:remote': { answer: { removed: string[] } };
  'POST /dvol/volumes/:vol/push': { query: ProgressQuery; body: PushBody; answer: PushAnswer };
  'POST /dvol/volumes/:vol/fetch': { query: ProgressQuery; body: FetchBody; answer: FetchResult };
  'POST /dvol/volumes/:vol/pull': { query: ProgressQuery; body: PullBody; answer: PullAnswer };
  'POST /dvol/clone': { query: ProgressQuery; body: CloneBody; answer: CloneAnswer };
  /** With summary=1: only the totals, as one JSON answer. */
  'GET /dvol/schedules': { answer: SchedulesAnswer };
  /** Adds the volume's schedule, or replaces it (keeping its last run). */
  'POST /dvol/volumes/:vol/schedule': { body: ScheduleBody; answer: ScheduleAnswer };
  'POST /dvol/volumes/:vol/schedule/pause': { answer: ScheduleAnswer };
  'POST /dvol/volumes/:vol/schedule/resume': { answer: ScheduleAnswer };
  'DELETE /dvol/volumes/:vol/schedule': { answer: Empty };
  /** Scheduled snapshots of a branch (default: every branch), newest first. */
  'GET /dvol/volumes/:vol/snapshots': { query: { branch?: string }; answer: SnapshotsAnswer };
  'GET /dvol/volumes/:vol/du': { answer: DuAnswer };
  'GET /dvol/mirrors': { answer: MirrorList };
  'POST /dvol/volumes/:vol/mirrors': { body: MirrorAddBody; answer: MirrorAnswer };
  'DELETE /dvol/mirrors/:id': { answer: MirrorAnswer };
  /** Sets the volume's mount policy: exclusive (one container at a time) or shared. */
  'PUT /dvol/volumes/:vol/exclusive': { body: PolicyBody; answer: { volume: VolumeInfo } };
  'GET /dvol/volumes/:vol/diff': {
    query: DiffQuery & { summary: '1' };
    answer: DiffHead & { totals: DiffTotals };
  };
}

/** The NDJSON routes: a head line, then `line`s. */
export interface DvolStreams {
  'GET /dvol/volumes/:vol/diff': { query: DiffQuery; head: DiffHead; line: DiffLine };
  /** File events and dvol's own, until the client goes; an `{"error"}` line ends a failed watch. */
  'GET /dvol/volumes/:vol/events': { head: WatchingLine; line: EventLine | ErrorBody };
}

export type RouteKey = keyof DvolRoutes;
export type StreamKey = keyof DvolStreams;

/** The `:param` names of a path template, as an object type: `{ vol: string; tag: string }`. */
export type PathParams<P extends string> = P extends `${string}:${infer Param}/${infer Rest}`
  ? { [K in Param]: string } & PathParams<Rest>
  : P extends `${string}:${infer Param}`
    ? { [K in Param]: string }
    : Record<never, never>;

/** What a call of route `K` needs: its path parameters, query and body where the route has them. */
export type RouteInput<K extends string, R> = (K extends `${string} ${infer P}`
  ? keyof PathParams<P> extends never
    ? { params?: Record<never, never> }
    : { params: PathParams<P> }
  : never) &
  (R extends { query: infer Q }
    ? Record<never, never> extends Q
      ? { query?: Q }
      : { query: Q }
    : { query?: undefined }) &
  (R extends { body: infer B } ? { body: B } : { body?: undefined });

/** The answer type of route `K`. */
export type Answer<K extends RouteKey> = DvolRoutes[K]['answer'];
/** The body type of route `K`. */
export type Body<K extends RouteKey> = DvolRoutes[K] extends { body: infer B } ? B : never;

/** Every key of the two tables, for the test that the server serves exactly these routes. */
export const ROUTE_KEYS = [
  'GET /dvol/version',
  'GET /dvol/volumes',
  'POST /dvol/volumes',
  'GET /dvol/volumes/:vol',
  'DELETE /dvol/volumes/:vol',
  'GET /dvol/active',
  'PUT /dvol/active',
  'GET /dvol/fsck',
  'GET /dvol/volumes/:vol/fsck',
  'GET /dvol/volumes/:vol/commits',
  'POST /dvol/volumes/:vol/commits',
  'POST /dvol/volumes/:vol/commits/delete',
  'GET /dvol/volumes/:vol/resolve',
  'POST /dvol/volumes/:vol/reset',
  'GET /dvol/volumes/:vol/tags',
  'POST /dvol/volumes/:vol/tags',
  'DELETE /dvol/volumes/:vol/tags/:tag',
  'GET /dvol/volumes/:vol/branches',
  'POST /dvol/volumes/:vol/checkout',
  'DELETE /dvol/volumes/:vol/branches/:branch',
  'GET /dvol/volumes/:vol/diff',
  'GET /dvol/schedules',
  'POST /dvol/volumes/:vol/schedule',
  'POST /dvol/volumes/:vol/schedule/pause',
  'POST /dvol/volumes/:vol/schedule/resume',
  'DELETE /dvol/volumes/:vol/schedule',
  'GET /dvol/volumes/:vol/snapshots',
  'GET /dvol/volumes/:vol/du',
  'GET /dvol/mirrors',
  'POST /dvol/volumes/:vol/mirrors',
  'DELETE /dvol/mirrors/:id',
  'PUT /dvol/volumes/:vol/exclusive',
  'GET /dvol/volumes/:vol/events',
  'GET /dvol/remote-url',
  'GET /dvol/volumes/:vol/remotes',
  'POST /dvol/volumes/:vol/remotes',
  'DELETE /dvol/volumes/:vol/remotes/:remote',
  'POST /dvol/volumes/:vol/push',
  'POST /dvol/volumes/:vol/fetch',
  'POST /dvol/volumes/:vol/pull',
  'POST /dvol/clone',
] as const satisfies readonly (RouteKey | StreamKey)[];

// A key added to a table but not to the list above fails typecheck here.
type Unlisted = Exclude<RouteKey | StreamKey, (typeof ROUTE_KEYS)[number]>;
export const everyRouteListed: Unlisted extends never ? true : Unlisted = true;
