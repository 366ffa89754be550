import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

interface Deployment {
  metadata: { name: string; namespace: string; generation: number; annotations?: Record<string, string> };
  spec: {
    replicas: number;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { name: string; image: string }[] };
    };
  };
  status: {
    observedGeneration: number;
    replicas: number;
    updatedReplicas: number;
    availableReplicas: number;
    conditions: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/**
 * A stand-in for the Kubernetes API server's Deployment endpoints. It insists on a bearer token and on the
 * strategic-merge content type for PATCH, applies the patch (annotations, containers merged by name), and moves the
 * rollout forward one replica per read. An image listed in `failingImages` never becomes available and ends in
 * ProgressDeadlineExceeded, as a real controller reports it.
 */
export class KubeApiStandin {
  readonly patches: { path: string; contentType: string; body: unknown }[] = [];
  readonly failingImages = new Set<string>();
  private readonly deployments = new Map<string, Deployment>();
  private server?: Server;
  port = 0;

  constructor(readonly token = 'test-token') {}

  addDeployment(namespace: string, name: string, containers: { name: string; image: string }[], replicas = 3) {
    this.deployments.set(`${namespace}/${name}`, {
      metadata: { name, namespace, generation: 1 },
      spec: { replicas, template: { metadata: {}, spec: { containers } } },
      status: {
        observedGeneration: 1,
        replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      },
    });
  }

  deployment(namespace: string, name: string) {
    return this.deployments.get(`${namespace}/${name}`);
  }

  kubeconfig(): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // Plain HTTP on loopback: the client allows it only with TLS verification off, as for any test server.
      clusters: [
        { name: 'local', cluster: { server: `http://127.0.0.1:${this.port}`, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'openclaw', user: { token: this.token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'openclaw' } }],
      'current-context': 'local',
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** One read moves the rollout one step: the controller observes, then replaces one replica at a time. */
  private advance(deployment: Deployment) {
    const { status, spec, metadata } = deployment;
    if (status.observedGeneration < metadata.generation) {
      status.observedGeneration = metadata.generation;
      status.updatedReplicas = 0;
      status.availableReplicas = spec.replicas;
      status.conditions = [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }];
      return;
    }
    const failing = spec.template.spec.containers.some((container) => this.failingImages.has(container.image));
    if (failing) {
      if (status.updatedReplicas < 1) status.updatedReplicas = 1;
      else
        status.conditions = [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${metadata.name}" has timed out progressing.`,
          },
        ];
      status.replicas = spec.replicas + 1;
      status.availableReplicas = spec.replicas - 1;
      return;
    }
    if (status.updatedReplicas < spec.replicas) {
      status.updatedReplicas++;
      status.replicas = spec.replicas + (status.updatedReplicas < spec.replicas ? 1 : 0);
      status.availableReplicas = spec.replicas - (status.updatedReplicas < spec.replicas ? 1 : 0);
      return;
    }
    status.replicas = spec.replicas;
    status.availableReplicas = spec.replicas;
    status.conditions = [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }];
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
    if (req.headers.authorization !== `Bearer ${this.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const match = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/?]+)/.exec(req.url ?? '');
    const deployment = match ? this.deployments.get(`${match[1]}/${match[2]}`) : undefined;
    if (!match || !deployment) return status(404, 'NotFound', `deployments.apps "${match?.[2]}" not found`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'GET') {
      this.advance(deployment);
      return send(200, { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment });
    }
    if (req.method === 'PATCH') {
      const contentType = req.headers['content-type'] ?? '';
      if (!contentType.startsWith('application/strategic-merge-patch+json'))
        return status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/strategic-merge-patch+json (got ${contentType})`,
        );
      let body: {
        spec?: {
          template?: {
            metadata?: { annotations?: Record<string, string> };
            spec?: { containers?: { name: string; image?: string }[] };
          };
        };
      };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return status(400, 'BadRequest', 'invalid JSON');
      }
      this.patches.push({ path: req.url!, contentType, body });
      const template = body.spec?.template;
      if (template?.metadata?.annotations)
        deployment.spec.template.metadata.annotations = {
          ...deployment.spec.template.metadata.annotations,
          ...template.metadata.annotations,
        };
      for (const patch of template?.spec?.containers ?? []) {
        const container = deployment.spec.template.spec.containers.find((entry) => entry.name === patch.name);
        if (!container) return status(422, 'Invalid', `container ${patch.name} not found`);
        if (patch.image) container.image = patch.image;
      }
      deployment.metadata.generation++;
      return send(200, { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment });
    }
    return status(405, 'MethodNotAllowed', `${req.method} not supported`);
  }
}
