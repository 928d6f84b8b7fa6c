/** Knative's Service, Configuration, Route and Revision reconcilers, as scripted states (knative-facts.md §2, §3). */
import { parseDuration } from '../../expect/duration.ts';
import { clusterDomain } from '../../knative/variant.ts';
import { type Condition, getCondition, setCondition } from '../conditions.ts';
import type { FakeApiServer } from '../server.ts';
import type { FakeStore, KubernetesObject, ObjectRef } from '../store.ts';
import { EventSink } from './events.ts';
import { is, Lifetime, type ScriptHandle } from './lifetime.ts';
import {
  atLeast,
  type ContainerSpec,
  configData,
  containersOf,
  multiContainerProbing,
  type Obj,
  ownerRef,
  type PodTemplate,
  probeFields,
  ref,
  refTo,
  SERVING,
  servingIndex,
} from './shapes.ts';

/**
 * K§2.2: with multi-container-probing Enabled, queue-proxy construction looks at each sidecar's
 * readinessProbe: a numeric httpGet/tcpSocket port or a grpc port > 0 is used, exec is skipped from
 * v1.18.0, anything else (exec before v1.18.0, a named port, grpc without a port) is the error.
 * Returns the first such sidecar's name.
 */
export function sidecarWithoutProbePort(
  containers: readonly ContainerSpec[],
  options: { version: string; multiContainerProbing: boolean },
): string | undefined {
  if (!options.multiContainerProbing || containers.length < 2) return undefined;
  const numeric = (port: number | string | undefined) => typeof port === 'number' && port !== 0;
  for (const c of containers) {
    const p = c.readinessProbe;
    if ((c.ports?.length ?? 0) > 0 || !p) continue;
    if (p.httpGet && numeric(p.httpGet.port)) continue;
    if (p.tcpSocket && numeric(p.tcpSocket.port)) continue;
    if (p.grpc && (p.grpc.port ?? 0) > 0) continue;
    if (p.exec && atLeast(options.version, '1.18.0')) continue;
    return c.name;
  }
  return undefined;
}

/** K§2.4 (3): the InternalError event's message, the whole wrapped error. */
export const internalErrorMessage = (revision: string, sidecar: string): string =>
  `failed to create deployment "${revision}-deployment": failed to make deployment: failed to create PodSpec: failed to create queue-proxy container: sidecar readiness probe does not define probe port on container: ${sidecar}`;

/** Knative's `condition_set`: Ready is False if a dependent is, else Unknown if one is (the last set wins), else True. */
function readyOf(dependents: Condition[]): Condition {
  const last = (status: Condition['status']) => dependents.filter((c) => c.status === status).at(-1);
  const pick = last('False') ?? last('Unknown');
  return pick
    ? { type: 'Ready', status: pick.status, reason: pick.reason, message: pick.message }
    : { type: 'Ready', status: 'True' };
}

const waitingMessage = (configuration: string) =>
  `Configuration "${configuration}" is waiting for a Revision to become ready.`;

export interface KnativeControllerOptions {
  version: string;
  systemNamespace?: string;
  /** Service URLs are `http://<service>.<namespace>.<domain>` (default kpc's cluster domain, kpc.test). */
  domain?: string;
  /** Controller reaction delay (default 15 ms). */
  reactMs?: number;
}

/**
 * The Knative controllers for Services: Configuration, Revision `<svc>-<generation, 5 digits>` and
 * Route on create and on every spec change; the queue-proxy error path (K§2.4) or a Deployment, and
 * the Deployment's readiness or progress deadline propagated to Revision, Configuration, Route and
 * Service (K§3).
 */
export function scriptKnativeController(
  server: FakeApiServer,
  options: KnativeControllerOptions,
): ScriptHandle {
  const { store } = server;
  const life = new Lifetime();
  const systemNamespace = options.systemNamespace ?? 'knative-serving';
  const domain = options.domain ?? clusterDomain;
  const reactMs = options.reactMs ?? 15;
  const events = new EventSink(store, 1000);

  const conditions =
    (...list: Condition[]) =>
    (o: KubernetesObject) =>
      list.reduce((x, c) => setCondition(x, c), o);
  const status =
    (fields: Record<string, unknown>, ...list: Condition[]) =>
    (o: KubernetesObject) =>
      conditions(...list)({ ...o, status: { ...(o as Obj).status, ...fields } } as KubernetesObject);

  const reconcileService = (serviceRef: ObjectRef) => {
    const service = store.get(serviceRef) as Obj | undefined;
    if (!service) return;
    const { namespace, name } = serviceRef as { namespace: string; name: string };
    const template = service.spec?.template as PodTemplate;
    const labels = {
      'serving.knative.dev/service': name,
      'serving.knative.dev/serviceUID': service.metadata!.uid!,
    };
    const cfgRef = ref(SERVING, 'Configuration', namespace, name);
    const existing = store.get(cfgRef) as Obj | undefined;
    const configuration = existing
      ? store.update({ ...existing, spec: { template } } as KubernetesObject)
      : store.create({
          apiVersion: SERVING,
          kind: 'Configuration',
          metadata: { name, namespace, labels, ownerReferences: [ownerRef(service)] },
          spec: { template },
        } as KubernetesObject);
    const generation = configuration.metadata!.generation ?? 1;
    const revision = `${name}-${String(generation).padStart(5, '0')}`;
    store.create({
      apiVersion: SERVING,
      kind: 'Revision',
      metadata: {
        name: revision,
        namespace,
        labels: {
          ...labels,
          'serving.knative.dev/configuration': name,
          'serving.knative.dev/configurationGeneration': String(generation),
          'serving.knative.dev/configurationUID': configuration.metadata!.uid!,
        },
        annotations: template?.metadata?.annotations ?? {},
        ownerReferences: [ownerRef(configuration)],
      },
      spec: template?.spec ?? {},
    } as KubernetesObject);
    // K§2.4 (7), (10): the new revision is the latest created; Ready=Unknown with no reason until it is ready.
    store.mutateStatus(
      cfgRef,
      status(
        { observedGeneration: generation, latestCreatedRevisionName: revision },
        { type: 'Ready', status: 'Unknown' },
      ),
    );
    const url = `http://${name}.${namespace}.${domain}`;
    const routeRef = ref(SERVING, 'Route', namespace, name);
    if (!store.get(routeRef)) {
      store.create({
        apiVersion: SERVING,
        kind: 'Route',
        metadata: { name, namespace, labels, ownerReferences: [ownerRef(service)] },
        spec: { traffic: [{ configurationName: name, latestRevision: true, percent: 100 }] },
      } as KubernetesObject);
      // K§2.4 (8): no ready revision yet; the URL is filled in anyway.
      const missing: Condition = {
        type: 'AllTrafficAssigned',
        status: 'Unknown',
        reason: 'RevisionMissing',
        message: waitingMessage(name),
      };
      store.mutateStatus(routeRef, status({ url }, missing, { ...missing, type: 'Ready' }));
    }
    const route = getCondition(store.get(routeRef)!, 'Ready');
    const configurationsReady: Condition = { type: 'ConfigurationsReady', status: 'Unknown' };
    const routesReady: Condition = { ...route!, type: 'RoutesReady' };
    delete routesReady.lastTransitionTime;
    // K§2.4 (9), (10): Ready follows the last Unknown dependent (RevisionMissing, or empty on an update).
    store.mutateStatus(
      serviceRef,
      status(
        { observedGeneration: service.metadata!.generation, url, latestCreatedRevisionName: revision },
        configurationsReady,
        routesReady,
        readyOf([configurationsReady, routesReady]),
      ),
    );
    life.after(reactMs, () => reconcileRevision(ref(SERVING, 'Revision', namespace, revision)));
  };

  const reconcileRevision = (revisionRef: ObjectRef) => {
    const revision = store.get(revisionRef) as Obj | undefined;
    if (!revision) return;
    const containers = containersOf(revision as { spec?: { containers?: ContainerSpec[] } });
    const sidecar = sidecarWithoutProbePort(containers, {
      version: options.version,
      multiContainerProbing: multiContainerProbing(store, systemNamespace),
    });
    const deploying = (type: string): Condition => ({ type, status: 'Unknown', reason: 'Deploying' });
    const base = [deploying('ResourcesAvailable'), deploying('ContainerHealthy'), deploying('Ready')];
    if (sidecar) {
      // K§2.4 (1), (2), (6): no PodAutoscaler, so no Active condition; then the error event, requeued.
      store.mutateStatus(revisionRef, status({ observedGeneration: 1 }, ...base));
      const message = internalErrorMessage(revisionRef.name, sidecar);
      const repeat = (attempt: number) => {
        const current = store.get(revisionRef);
        if (!current) return;
        events.record(current, { type: 'Warning', reason: 'InternalError', message });
        // K§2.4 (4): requeued with rate limiting; the backoff here is scripted (doubling from 50 ms, at most 2 s).
        life.after(Math.min(50 * 2 ** attempt, 2_000), () => repeat(attempt + 1));
      };
      repeat(0);
      return;
    }
    // K§3: before readiness, Active=Unknown/Deploying (no PA condition yet).
    store.mutateStatus(revisionRef, status({ observedGeneration: 1 }, ...base, deploying('Active')));
    store.create(makeDeployment(revision, store, systemNamespace));
  };

  const revisionOf = (deployment: Obj): ObjectRef | undefined => {
    const name = deployment.metadata?.labels?.['serving.knative.dev/revision'];
    return name ? ref(SERVING, 'Revision', deployment.metadata!.namespace!, name) : undefined;
  };

  const deploymentChanged = (deployment: Obj) => {
    const revisionRef = revisionOf(deployment);
    const revision = revisionRef && store.get(revisionRef);
    if (!revisionRef || !revision) return;
    const ready = getCondition(revision, 'Ready')?.status;
    const readyReplicas = Number((deployment.status as { readyReplicas?: number })?.readyReplicas ?? 0);
    const progressing = getCondition(deployment, 'Progressing');
    if (readyReplicas > 0 && ready !== 'True') revisionReady(revision);
    else if (
      progressing?.status === 'False' &&
      progressing.reason === 'ProgressDeadlineExceeded' &&
      ready !== 'False'
    )
      revisionFailed(revision, progressing.message ?? '');
  };

  const parentRefs = (revision: KubernetesObject) => {
    const { namespace } = revision.metadata!;
    const name = revision.metadata!.labels!['serving.knative.dev/configuration']!;
    return {
      name,
      configuration: ref(SERVING, 'Configuration', namespace!, name),
      route: ref(SERVING, 'Route', namespace!, name),
      service: ref(
        SERVING,
        'Service',
        namespace!,
        revision.metadata!.labels!['serving.knative.dev/service']!,
      ),
    };
  };

  /** K§3: ContainerHealthy once readyReplicas > 0, ResourcesAvailable with the PA; RevisionReady; then the parents. */
  const revisionReady = (revision: KubernetesObject) => {
    const revisionRef = refTo(revision);
    const t = (type: string): Condition => ({ type, status: 'True' });
    store.mutateStatus(
      revisionRef,
      status(
        { actualReplicas: 1, desiredReplicas: 1 },
        t('ContainerHealthy'),
        t('ResourcesAvailable'),
        t('Active'),
        t('Ready'),
      ),
    );
    events.record(store.get(revisionRef)!, {
      type: 'Normal',
      reason: 'RevisionReady',
      message: 'Revision becomes ready upon all resources being ready',
    });
    const parents = parentRefs(revision);
    const configuration = store.get(parents.configuration) as Obj | undefined;
    if (
      (configuration?.status as { latestCreatedRevisionName?: string })?.latestCreatedRevisionName !==
      revisionRef.name
    )
      return;
    store.mutateStatus(
      parents.configuration,
      status({ latestReadyRevisionName: revisionRef.name }, t('Ready')),
    );
    const traffic = [{ revisionName: revisionRef.name, latestRevision: true, percent: 100 }];
    store.mutateStatus(parents.route, status({ traffic }, t('AllTrafficAssigned'), t('Ready')));
    store.mutateStatus(
      parents.service,
      status(
        { latestReadyRevisionName: revisionRef.name, traffic },
        t('ConfigurationsReady'),
        t('RoutesReady'),
        t('Ready'),
      ),
    );
  };

  /** K§3 "When a revision never becomes Ready": the deadline's reason and message up the chain. */
  const revisionFailed = (revision: KubernetesObject, deadlineMessage: string) => {
    const revisionRef = refTo(revision);
    const failed: Condition = {
      type: 'ResourcesAvailable',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: deadlineMessage,
    };
    store.mutateStatus(revisionRef, status({}, failed, { ...failed, type: 'Ready' }));
    const parents = parentRefs(revision);
    const configuration = store.get(parents.configuration) as Obj | undefined;
    const cfgStatus = configuration?.status as {
      latestCreatedRevisionName?: string;
      latestReadyRevisionName?: string;
    };
    if (!configuration || cfgStatus?.latestCreatedRevisionName !== revisionRef.name) return;
    const revisionFailedCondition: Condition = {
      type: 'Ready',
      status: 'False',
      reason: 'RevisionFailed',
      message: `Revision "${revisionRef.name}" failed with message: ${deadlineMessage}.`,
    };
    store.mutateStatus(parents.configuration, status({}, revisionFailedCondition));
    // Only the first-revision case is in the facts sheet: no revision was ever ready.
    if (cfgStatus.latestReadyRevisionName) return;
    events.record(store.get(parents.configuration)!, {
      type: 'Warning',
      reason: 'LatestCreatedFailed',
      message: `Latest created revision "${revisionRef.name}" has failed`,
    });
    const missing: Condition = {
      type: 'AllTrafficAssigned',
      status: 'False',
      reason: 'RevisionMissing',
      message: `Configuration "${parents.name}" does not have any ready Revision.`,
    };
    store.mutateStatus(parents.route, status({}, missing, { ...missing, type: 'Ready' }));
    const configurationsReady = { ...revisionFailedCondition, type: 'ConfigurationsReady' };
    const routesReady = { ...missing, type: 'RoutesReady' };
    store.mutateStatus(
      parents.service,
      status({}, configurationsReady, routesReady, readyOf([configurationsReady, routesReady])),
    );
  };

  life.listen(store, (change) => {
    if (is(change, 'serving.knative.dev', 'Service') && change.type !== 'DELETED') {
      const specChanged =
        change.type === 'ADDED' ||
        change.oldObject?.metadata?.generation !== change.object.metadata?.generation;
      if (specChanged) life.after(reactMs, () => reconcileService(refTo(change.object)));
    } else if (is(change, 'apps', 'Deployment') && change.type === 'MODIFIED') {
      life.after(reactMs, () => {
        const current = store.get(refTo(change.object)) as Obj | undefined;
        if (current) deploymentChanged(current);
      });
    }
  });
  return life;
}

/**
 * The Deployment Knative makes for a revision (K§2.1, §2.2): exec readiness probes stay on their
 * containers, httpGet/tcpSocket/grpc ones move to queue-proxy, whose own probe is an httpGet on 8012
 * with `K-Network-Probe: queue` and the serving container's timing; progressDeadlineSeconds from the
 * revision's annotation or config-deployment (K§3, default 600 s).
 */
function makeDeployment(revision: Obj, store: FakeStore, systemNamespace: string): KubernetesObject {
  const meta = revision.metadata!;
  const name = meta.name!;
  const containers = containersOf(revision as { spec?: { containers?: ContainerSpec[] } });
  const serving = servingIndex(containers);
  const labels = {
    ...meta.labels,
    'serving.knative.dev/revision': name,
    'serving.knative.dev/revisionUID': meta.uid!,
    app: name,
  };
  const env = [
    { name: 'K_REVISION', value: name },
    { name: 'K_CONFIGURATION', value: meta.labels?.['serving.knative.dev/configuration'] ?? '' },
    { name: 'K_SERVICE', value: meta.labels?.['serving.knative.dev/service'] ?? '' },
  ];
  const user = containers.map((c, i) => {
    const out: ContainerSpec = { ...structuredClone(c), env: [...(c.env ?? []), ...env] };
    if (out.readinessProbe && !out.readinessProbe.exec) delete out.readinessProbe;
    if (i === serving) {
      const port = c.ports?.[0]?.containerPort ?? 8080;
      out.ports = [{ name: 'user-port', containerPort: port }];
      out.env = [...(out.env ?? []), { name: 'PORT', value: String(port) }];
    }
    return out;
  });
  const timing = Object.fromEntries(
    probeFields
      .filter((f) => f !== 'terminationGracePeriodSeconds')
      .map((f) => [f, containers[serving]?.readinessProbe?.[f]])
      .filter(([, v]) => v !== undefined),
  );
  const deploymentConfig = configData(store, systemNamespace, 'config-deployment');
  const queueProxy: ContainerSpec = {
    name: 'queue-proxy',
    image: deploymentConfig['queue-sidecar-image'] ?? 'ko://knative.dev/serving/cmd/queue',
    ports: [{ containerPort: 8012 }],
    readinessProbe: {
      ...timing,
      httpGet: { port: 8012, httpHeaders: [{ name: 'K-Network-Probe', value: 'queue' }] },
    },
  };
  const deadline =
    meta.annotations?.['serving.knative.dev/progress-deadline'] ??
    deploymentConfig['progress-deadline'] ??
    '600s';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `${name}-deployment`,
      namespace: meta.namespace,
      labels,
      ownerReferences: [ownerRef(revision)],
    },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: Math.round(parseDuration(deadline) / 1000),
      selector: { matchLabels: { 'serving.knative.dev/revisionUID': meta.uid! } },
      template: {
        metadata: { labels, annotations: meta.annotations ?? {} },
        spec: { ...(revision.spec as Record<string, unknown>), containers: [...user, queueProxy] },
      },
    },
  } as KubernetesObject;
}
