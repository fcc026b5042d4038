/**
 * The instance's own control API, served on the AWS port under /_irsakit/ (health, cluster objects,
 * tokens, node settings). Everything but /_irsakit/health requires `Authorization: Bearer <admin token>`;
 * the token is generated with the data directory and kept in `<data>/admin-token` (mode 0600), which is how
 * the CLI on the same machine finds it (or IRSAKIT_ADMIN_TOKEN).
 * Errors are JSON `{ "code": "ERR_…", "message": "…" }` with a 4xx/5xx status, Kubernetes-style Status
 * objects for the /_irsakit/k8s/ routes.
 */
export interface AdminRequest {
  readonly method: string;
  /** Path parameters from `{name}` segments of the route pattern. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). Bodies over 8 MiB are refused before routing. */
  readonly body: unknown;
  /** Raw body text (YAML manifests are posted as text). */
  readonly text: string;
  readonly contentType: string;
}

export interface AdminResponse {
  readonly status?: number;
  /** JSON-serialised unless `text` is given. */
  readonly body?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Pattern under /_irsakit, e.g. "/k8s/api/v1/namespaces/{namespace}/pods/{name}". */
  readonly path: string;
  handle(req: AdminRequest): Promise<AdminResponse>;
}
