import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import { apply, explainKubeError, type Kube } from './kube.js';
import { FIELD_MANAGER } from './manifests.js';

export const REVISION = 'deployment.kubernetes.io/revision';

export interface RolloutOutcome {
  ok: boolean;
  revision: string;
  /** Why it failed: the deadline, pod conditions, container states and warning events. */
  causes: string[];
  ready: number;
  desired: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readDeployment(kube: Kube, name: string, namespace: string): Promise<V1Deployment> {
  try {
    return await kube.apps.readNamespacedDeployment({ name, namespace });
  } catch (error) {
    throw explainKubeError(error, `get deployment ${namespace}/${name}`);
  }
}

/**
 * Waits for a Deployment's rollout as `kubectl rollout status` does: the controller has seen
 * the generation, every replica is updated, old replicas are gone, the updated ones are
 * available; fails on ProgressDeadlineExceeded or the step's timeout. Logs progress.
 */
export async function waitForRollout(kube: Kube, name: string, namespace: string, options: { timeoutMs: number; logger: Logger; pollMs?: number }): Promise<RolloutOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const d = await readDeployment(kube, name, namespace);
    const desired = d.spec?.replicas ?? 1;
    const st = d.status ?? {};
    const updated = st.updatedReplicas ?? 0;
    const ready = st.readyReplicas ?? 0;
    const available = st.availableReplicas ?? 0;
    const total = st.replicas ?? 0;
    const revision = d.metadata?.annotations?.[REVISION] ?? '';
    const progress = `${name}: ${updated}/${desired} updated, ${ready} ready, ${available} available${total > updated ? `, ${total - updated} old` : ''} (revision ${revision || '?'})`;
    if (progress !== last) options.logger.info(progress);
    last = progress;
    const observed = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
    const progressing = st.conditions?.find((c) => c.type === 'Progressing');
    if (observed && progressing?.reason === 'ProgressDeadlineExceeded') {
      return { ok: false, revision, causes: [`the rollout exceeded its progress deadline (${d.spec?.progressDeadlineSeconds ?? 600}s): ${progressing.message ?? ''}`.trim(), ...(await diagnose(kube, d))], ready, desired };
    }
    if (observed && updated >= desired && total <= updated && available >= updated) return { ok: true, revision, causes: [], ready, desired };
    if (Date.now() > deadline) {
      const [newest] = await ownedReplicaSets(kube, d).catch(() => [] as V1ReplicaSet[]);
      const newReady = newest?.status?.readyReplicas ?? 0;
      return { ok: false, revision, causes: [`the rollout did not finish before the timeout (${Math.round(options.timeoutMs / 1000)}s): ${newReady} of ${desired} replicas of the new revision became ready`, ...(await diagnose(kube, d))], ready, desired };
    }
    await sleep(options.pollMs ?? 1000);
  }
}

/** The ReplicaSets a Deployment owns, newest revision first. */
export async function ownedReplicaSets(kube: Kube, d: V1Deployment): Promise<V1ReplicaSet[]> {
  const namespace = d.metadata!.namespace!;
  const selector = Object.entries(d.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  let list;
  try {
    list = await kube.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector });
  } catch (error) {
    throw explainKubeError(error, `list replicasets in ${namespace}`);
  }
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid))
    .sort((a, b) => Number(b.metadata?.annotations?.[REVISION] ?? 0) - Number(a.metadata?.annotations?.[REVISION] ?? 0));
}

/** Causes from the new ReplicaSet's pods: scheduling, container states, readiness, warning events. */
export async function diagnose(kube: Kube, d: V1Deployment): Promise<string[]> {
  const namespace = d.metadata!.namespace!;
  const causes = new Set<string>();
  try {
    const [newest] = await ownedReplicaSets(kube, d);
    const hash = newest?.metadata?.labels?.['pod-template-hash'];
    if (!hash) return [];
    const pods = (await kube.core.listNamespacedPod({ namespace, labelSelector: `pod-template-hash=${hash}` })).items;
    for (const pod of pods) for (const c of podCauses(pod)) causes.add(c);
    const events = (await kube.core.listNamespacedEvent({ namespace })).items.filter((e) => e.type === 'Warning' && pods.some((p) => p.metadata?.name === e.involvedObject?.name));
    for (const e of events.slice(-10)) causes.add(`event ${e.reason}: ${e.message}`);
  } catch {
    // Diagnosis is best effort: the failure itself is already known.
  }
  return [...causes];
}

export function podCauses(pod: V1Pod): string[] {
  const name = pod.metadata?.name ?? 'pod';
  const out: string[] = [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') out.push(`pod ${name} is not scheduled (${scheduled.reason ?? 'Unschedulable'}): ${scheduled.message ?? ''}`.trim());
  for (const cs of pod.status?.containerStatuses ?? []) {
    const waiting = cs.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating') out.push(`container ${cs.name} in ${name} is waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`);
    const terminated = cs.lastState?.terminated ?? cs.state?.terminated;
    if (terminated?.reason) out.push(`container ${cs.name} in ${name} terminated: ${terminated.reason} (exit code ${terminated.exitCode})${cs.restartCount ? `, ${cs.restartCount} restarts` : ''}`);
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (scheduled?.status === 'True' && ready?.status === 'False' && out.length === 0) {
    out.push(`pod ${name} never became ready (${ready.reason ?? 'NotReady'}${ready.message ? `: ${ready.message}` : ''})`);
  }
  return out;
}

/**
 * Rolls back to the previous revision as `kubectl rollout undo` does: the pod template of
 * the ReplicaSet with the next-highest revision becomes the Deployment's template again.
 * `desired` is the Deployment as this run applied it: the rest of it stays as it is (a
 * server-side apply that left fields out would remove them).
 */
export async function rollBack(kube: Kube, desired: V1Deployment, logger: Logger): Promise<{ toRevision: string; image: string } | undefined> {
  const name = desired.metadata!.name!;
  const namespace = desired.metadata!.namespace!;
  const d = await readDeployment(kube, name, namespace);
  const sets = await ownedReplicaSets(kube, d);
  const previous = sets[1];
  if (!previous) return undefined;
  const template = structuredClone(previous.spec!.template!);
  delete template.metadata?.labels?.['pod-template-hash'];
  const toRevision = previous.metadata?.annotations?.[REVISION] ?? '';
  const image = template.spec?.containers?.[0]?.image ?? '';
  logger.info(`Rolling back ${namespace}/${name} to revision ${toRevision} (${image}).`);
  // The provenance annotations go back to the ones of the revision that runs again.
  const annotations = Object.fromEntries(Object.entries(template.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('mlops-actions.dev/')));
  await apply(kube, { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata?.annotations, ...annotations } }, spec: { ...desired.spec!, template } });
  return { toRevision, image };
}

export { FIELD_MANAGER };
