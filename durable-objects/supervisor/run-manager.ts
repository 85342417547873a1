// Runs the supervisor machine inside the ThreadAgent: admits a run (limits), checkpoints the machine state
// in SQLite after every transition, performs its effects, and executes sub-agent steps from the alarm, so a
// step interrupted by eviction is retried from the checkpoint and a run completes exactly once.
// A step in flight holds a lease naming this instance (a token of this object, so of this isolate): a new
// instance finds the lease of a dead one on start and re-runs the step at once; the alarm guarding a step is
// STEP_LEASE_MS away, not the step's deadline, for when nothing else wakes the object.
import type { ServerEventData, ServerEventType } from '../../protocol/messages';
import { newId } from '../../common/ids';
import { log } from '../../common/logger';
import type { MessagePayload, RunPayload, UsageEventPayload } from '../delivery';
import type { Outbox } from '../outbox';
import type { SocketIdentity } from '../sockets';
import type { Timers } from '../timers';
import { initialState, STEP_TIMEOUT_MS, TERMINAL, transition, type Effect, type MachineEvent, type RunState, type StepStage } from './machine';
import { admitRun, releaseRun, renewRun } from './admission';
import { StepError, type PreviousRun, type Refusal, type RunContext, type ThreadInfo } from './contract';
import { runStep } from './steps';

export type { Refusal, ThreadInfo } from './contract';

/** How soon the alarm re-checks a step in flight: at most this long after its instance died, the step is re-run. */
export const STEP_LEASE_MS = 5_000;

export interface RunManagerDeps {
  env: Env;
  sql: SqlStorage;
  timers: Timers;
  outbox: Outbox;
  emit: <T extends ServerEventType>(type: T, data: ServerEventData<T>, runId: string | null, agent: string | null, key?: string) => void;
  scheduleOutboxFlush: () => Promise<void>;
  thread: () => ThreadInfo;
}

interface RunRow {
  run_id: string;
  user_id: string;
  status: string;
  state: string;
  checkpoint: string;
  created_at: number;
  updated_at: number;
  [key: string]: SqlStorageValue;
}

interface StepLease {
  owner: string;
  started_at: number;
  [key: string]: SqlStorageValue;
}

interface Checkpoint {
  machine: RunState;
  message: string;
  lease: string;
}

export class RunManager {
  /** This instance's token: a lease with another owner belongs to an instance that is gone. */
  private readonly instance = crypto.randomUUID();
  /** The run whose admission is awaited (see start): a second start_agent meanwhile is refused. */
  private admitting: string | null = null;
  /** The thread's running run (null: none), read once: only this object starts and ends runs. Unread: undefined. */
  private running: string | null | undefined;

  constructor(private readonly deps: RunManagerDeps) {}

  /** On start of a new instance: every step whose lease names another instance was cut off; re-run it now. */
  async recoverOrphanedSteps(): Promise<void> {
    const orphaned = this.deps.sql
      .exec<{ run_id: string; stage: string }>("SELECT l.run_id, l.stage FROM step_leases l JOIN runs r ON r.run_id = l.run_id WHERE r.status = 'running' AND l.owner <> ?", this.instance)
      .toArray();
    for (const { run_id, stage } of orphaned) {
      log('warn', 'step cut off by a restart; re-running it', { run_id, stage });
      await this.deps.timers.set(`run:${run_id}`, Date.now());
    }
  }

  /**
   * Reserves a run in this thread and calls `accepted` with its id at once (nothing remote, nothing written
   * before it); then admits it in Redis: admitted, it is written and starts (agent_started); refused, it is
   * dropped and the refusal returned.
   */
  async start(identity: SocketIdentity, message: string, accepted: (runId: string) => void): Promise<Refusal | null> {
    const active = this.admitting ?? this.runningRun();
    if (active) return { code: 'run_already_active', message: `a run is already active in this thread (${active}); cancel it or wait`, details: { run_id: active } };
    const runId = newId('run');
    // Reserved in memory only: a storage write here would be committed on this thread right after the send
    // and delay run_accepted on its way out (~3 ms under `wrangler dev`), and hold the admission's fetch
    // behind the output gate. If this instance dies during the admission, the reservation dies with it, as
    // do its sockets; a lease it took in Redis expires.
    this.admitting = runId;
    let now: number;
    try {
      accepted(runId);
      // A socket's send goes out only once this turn yields: let run_accepted leave before the admission's
      // request to Redis is even built (and competes with it for the CPU).
      await scheduler.wait(0);
      const admission = await admitRun(this.deps.env, { user_id: identity.user_id, tier: this.deps.thread().tier, run_id: runId });
      if (!admission.ok) return { ...admission.refusal, details: { ...admission.refusal.details, run_id: runId } };
      now = Date.now();
      const checkpoint: Checkpoint = { machine: initialState(runId), message, lease: admission.lease };
      this.deps.sql.exec(
        "INSERT INTO runs (run_id, user_id, status, state, checkpoint, created_at, updated_at) VALUES (?, ?, 'running', 'received', ?, ?, ?)",
        runId,
        identity.user_id,
        JSON.stringify(checkpoint),
        now,
        now,
      );
      this.running = runId;
    } finally {
      this.admitting = null;
    }
    const thread = this.deps.thread();
    this.deps.outbox.add(newId('msg'), 'pg_message', {
      org_id: thread.org_id,
      thread_id: thread.thread_id,
      run_id: runId,
      role: 'user',
      content: message,
      metadata: {},
      created_at: new Date(now).toISOString(),
    } satisfies MessagePayload);
    this.deps.emit('agent_started', { run_id: runId, message }, runId, 'supervisor');
    this.usage(runId, identity.user_id, 'run_started', {});
    await this.advance(runId, { type: 'start' });
    return null;
  }

  async cancel(userId: string, runId: string): Promise<Refusal | null> {
    const row = this.row(runId);
    if (!row || row.user_id !== userId) return { code: 'run_not_found', message: 'no such run in this thread' };
    if (row.status !== 'running') return { code: 'run_not_found', message: `run is already ${row.status}` };
    await this.advance(runId, { type: 'cancel' });
    return null;
  }

  status(runId: string, userId: string) {
    const row = this.row(runId);
    if (!row || row.user_id !== userId) return null;
    const cp = JSON.parse(row.checkpoint) as Checkpoint;
    return { run_id: runId, status: row.status, stage: cp.machine.stage, pipeline: cp.machine.pipeline, steps: cp.machine.steps, error: cp.machine.error };
  }

  /** Alarm for a run: execute (or re-execute after eviction/timeout) the step its checkpoint is in. */
  async onTimer(runId: string): Promise<void> {
    const row = this.row(runId);
    if (!row || row.status !== 'running') return;
    const cp = JSON.parse(row.checkpoint) as Checkpoint;
    const stage = cp.machine.stage as StepStage;
    if (TERMINAL.has(cp.machine.stage) || cp.machine.stage === 'received') return;
    const now = Date.now();
    const held = this.lease(runId);
    if (held && held.owner === this.instance && now - held.started_at < STEP_TIMEOUT_MS) {
      // The step is still running in this instance (an alarm run early): keep guarding it.
      await this.deps.timers.set(`run:${runId}`, now + STEP_LEASE_MS);
      return;
    }
    // The guard first: if the renewal below throws (Redis down), the alarm comes back for the step.
    await this.deps.timers.set(`run:${runId}`, now + STEP_LEASE_MS);
    await renewRun(this.deps.env, row.user_id, cp.lease);
    // Past its deadline, or cut off with its instance: (re-)run it under a lease of this instance.
    this.deps.sql.exec(
      'INSERT INTO step_leases (run_id, owner, stage, attempt, started_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET owner = excluded.owner, stage = excluded.stage, attempt = excluded.attempt, started_at = excluded.started_at',
      runId,
      this.instance,
      stage,
      cp.machine.attempt,
      now,
    );
    const step = `${runId}:${stage}.${cp.machine.attempt}`;
    const ordinals = new Map<string, number>();
    const ordinal = (what: string) => {
      const n = (ordinals.get(what) ?? 0) + 1;
      ordinals.set(what, n);
      return n;
    };
    const ctx: RunContext = {
      env: this.deps.env,
      run_id: runId,
      user_id: row.user_id,
      thread: this.deps.thread(),
      message: cp.message,
      results: cp.machine.results,
      pipeline: cp.machine.pipeline,
      previous: this.previousRun(runId),
      // Keyed per step attempt: a tool's events by its call id, any other event by its type and ordinal.
      emit: (type, data, agent) => {
        const callId = type === 'tool_call' || type === 'tool_result' ? (data as { call_id: string }).call_id : null;
        this.deps.emit(type, data, runId, agent, callId ? `${type}:${callId}` : `${step}:${type}:${ordinal(type)}`);
      },
      callId: (tool) => `${step}:${tool}:${ordinal(`call:${tool}`)}`,
      artifacts: this.artifacts(runId),
      usage: (type, data, id) => this.usage(runId, row.user_id, type, data, id),
    };
    let event: MachineEvent;
    try {
      const out = await runStep(stage, ctx);
      event = {
        type: 'step_succeeded',
        stage,
        result: out.result,
        ...(out.sufficiency !== undefined ? { sufficiency: out.sufficiency } : {}),
        ...(out.pipeline !== undefined ? { pipeline: out.pipeline } : {}),
      };
    } catch (err) {
      // A bug is not an outage: an unexpected error fails the step without retries; only a StepError says retryable.
      const e = err instanceof StepError ? err : new StepError('run_failed', 'the step failed unexpectedly', false);
      event = { type: 'step_failed', stage, code: e.code, message: e.message, retryable: e.retryable };
    }
    // A result of an execution superseded after its deadline is dropped: the newer one reports.
    const current = this.lease(runId);
    if (!current || current.owner !== this.instance || current.started_at !== now) return;
    this.deps.sql.exec('DELETE FROM step_leases WHERE run_id = ?', runId);
    await this.advance(runId, event);
  }

  private lease(runId: string): StepLease | undefined {
    return this.deps.sql.exec<StepLease>('SELECT owner, started_at FROM step_leases WHERE run_id = ?', runId).toArray()[0];
  }

  private artifacts(runId: string): RunContext['artifacts'] {
    const sql = this.deps.sql;
    return {
      put: (name, value) =>
        sql.exec('INSERT INTO run_artifacts (run_id, name, value) VALUES (?, ?, ?) ON CONFLICT(run_id, name) DO UPDATE SET value = excluded.value', runId, name, JSON.stringify(value)),
      get: <T>(name: string) => {
        const row = sql.exec<{ value: string }>('SELECT value FROM run_artifacts WHERE run_id = ? AND name = ?', runId, name).toArray()[0];
        return row ? (JSON.parse(row.value) as T) : undefined;
      },
    };
  }

  /** The latest completed run of this thread before `runId`. */
  private previousRun(runId: string): PreviousRun | null {
    const row = this.deps.sql
      .exec<RunRow>("SELECT * FROM runs WHERE status = 'completed' AND run_id < ? ORDER BY run_id DESC LIMIT 1", runId)
      .toArray()[0];
    if (!row) return null;
    const cp = JSON.parse(row.checkpoint) as Checkpoint;
    const triage = cp.machine.results.triage as { request?: { scope?: { features?: string[] } } } | undefined;
    const optimize = cp.machine.results.optimize as { savings?: { where?: { feature?: string } }[] } | undefined;
    const plan = cp.machine.results.plan_actions as { steps?: unknown[] } | undefined;
    return {
      message: cp.message,
      feature: triage?.request?.scope?.features?.[0] ?? optimize?.savings?.find((f) => f.where?.feature)?.where?.feature ?? null,
      request: triage?.request ?? null,
      steps: plan?.steps ?? [],
    };
  }

  /** After the storage was cleared. */
  forget(): void {
    this.running = undefined;
  }

  private runningRun(): string | null {
    if (this.running === undefined) this.running = this.deps.sql.exec<{ run_id: string }>("SELECT run_id FROM runs WHERE status = 'running'").toArray()[0]?.run_id ?? null;
    return this.running;
  }

  private row(runId: string): RunRow | undefined {
    return this.deps.sql.exec<RunRow>('SELECT * FROM runs WHERE run_id = ?', runId).toArray()[0];
  }

  /** Applies one machine event: checkpoint + effects. The checkpoint and the logged events are written in one synchronous block. */
  private async advance(runId: string, event: MachineEvent): Promise<void> {
    const row = this.row(runId);
    if (!row) return;
    const cp = JSON.parse(row.checkpoint) as Checkpoint;
    const { state, effects } = transition(cp.machine, event);
    if (state === cp.machine) return;
    const status = TERMINAL.has(state.stage) ? state.stage : 'running';
    const now = Date.now();
    this.deps.sql.exec(
      'UPDATE runs SET status = ?, state = ?, checkpoint = ?, updated_at = ? WHERE run_id = ?',
      status,
      state.stage,
      JSON.stringify({ ...cp, machine: state }),
      now,
      runId,
    );
    if (status !== 'running' && this.running === runId) this.running = null;
    this.deps.outbox.add(`${runId}#${state.steps}`, 'pg_run', this.runPayload(row, cp.message, state, status, now));
    for (const effect of effects) await this.perform(runId, row.user_id, cp, state, effect);
    await this.deps.scheduleOutboxFlush();
  }

  private async perform(runId: string, userId: string, cp: Checkpoint, state: RunState, effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'emit':
        this.deps.emit(effect.type, effect.data, runId, effect.agent);
        return;
      case 'run_step':
        await this.deps.timers.set(`run:${runId}`, Date.now());
        return;
      case 'retry_later':
        await this.deps.timers.set(`run:${runId}`, Date.now() + effect.delay_ms);
        return;
      case 'finish': {
        await this.deps.timers.clear(`run:${runId}`);
        this.deps.sql.exec('DELETE FROM run_artifacts WHERE run_id = ?', runId);
        this.deps.sql.exec('DELETE FROM step_leases WHERE run_id = ?', runId);
        const answer = finalAnswer(state);
        if (answer) {
          this.deps.outbox.add(newId('msg'), 'pg_message', {
            org_id: this.deps.thread().org_id,
            thread_id: this.deps.thread().thread_id,
            run_id: runId,
            role: 'assistant',
            content: answer.text,
            metadata: { report_id: answer.report_id },
            created_at: new Date().toISOString(),
          } satisfies MessagePayload);
        }
        if (effect.status === 'completed') {
          this.deps.emit('agent_completed', { run_id: runId, status: 'completed', answer: answer?.text ?? '', report_id: answer?.report_id ?? null, summary: answer?.summary ?? {} }, runId, 'supervisor');
        }
        this.usage(runId, userId, 'run_finished', { status: effect.status, steps: state.steps });
        await releaseRun(this.deps.env, userId, cp.lease);
        return;
      }
    }
  }

  private usage(runId: string, userId: string, eventType: string, data: Record<string, unknown>, id = newId('evt')): void {
    this.deps.outbox.add(id, 'usage_event', {
      org_id: this.deps.thread().org_id,
      user_id: userId,
      event_type: eventType,
      timestamp: new Date().toISOString(),
      event_data: { run_id: runId, thread_id: this.deps.thread().thread_id, ...data },
    } satisfies UsageEventPayload);
  }

  private runPayload(row: RunRow, message: string, state: RunState, status: string, now: number): RunPayload {
    const thread = this.deps.thread();
    const report = state.results.report as { report_id?: string } | undefined;
    return {
      org_id: thread.org_id,
      user_id: row.user_id,
      thread_id: thread.thread_id,
      status: status as RunPayload['status'],
      state: state.stage,
      request: message,
      error_code: state.error?.code ?? null,
      report_id: report?.report_id ?? null,
      steps: state.steps,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(now).toISOString(),
      completed_at: TERMINAL.has(state.stage) ? new Date(now).toISOString() : null,
    };
  }
}

function finalAnswer(state: RunState): { text: string; report_id: string | null; summary: Record<string, unknown> } | null {
  const report = state.results.report as { answer?: string; report_id?: string; summary?: Record<string, unknown> } | undefined;
  if (!report?.answer) return null;
  return { text: report.answer, report_id: report.report_id ?? null, summary: report.summary ?? {} };
}
