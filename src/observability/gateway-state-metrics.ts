// Gauges and counters read when /metrics is scraped rather than on the request path: the router's
// deployments (up or cooling down, in flight), the usage writer, budget leases and admissions made
// while the database was unreachable.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BudgetLeaseStats } from '../core/metering/budget-leases.ts';
import type { MeteringStatus } from '../core/metering/metering-ports.ts';
import type { DeploymentState } from '../core/router/router.ts';

export interface GatewayStateSources {
  deploymentStates(): Promise<DeploymentState[]>;
  metering(): MeteringStatus;
  leases(): BudgetLeaseStats;
  /** Budgeted requests admitted while the database could not be reached. */
  databaseUnavailable(): { served: number; refused: number };
  clock: { now(): number };
}

export function gaugeCollectors(sources: GatewayStateSources, registers: Registry[]): void {
  const deploymentLabels = ['deployment', 'model', 'provider'];
  const up = new Gauge({ name: 'modelgraph_deployment_up', help: '1 when the deployment takes requests, 0 while it cools down after failures.', labelNames: deploymentLabels, registers });
  const inFlight = new Gauge({ name: 'modelgraph_deployment_in_flight', help: "Requests in flight to the deployment (this instance's).", labelNames: deploymentLabels, registers });
  const failures = new Gauge({ name: 'modelgraph_deployment_failures_in_window', help: 'Failures counted toward the deployment\'s cooldown in its current window.', labelNames: deploymentLabels, registers });
  // One collect fills the three deployment gauges: the states are read once per scrape.
  new Gauge({
    name: 'modelgraph_deployments',
    help: 'Deployments configured.',
    registers,
    async collect() {
      const states = await sources.deploymentStates();
      const now = sources.clock.now();
      up.reset();
      inFlight.reset();
      failures.reset();
      for (const state of states) {
        const labels = { deployment: state.deployment.id, model: state.deployment.modelName, provider: state.deployment.providerId };
        up.set(labels, state.cooledUntil !== null && state.cooledUntil > now ? 0 : 1);
        inFlight.set(labels, state.inFlight);
        failures.set(labels, state.failuresInWindow);
      }
      this.set(states.length);
    },
  });

  const writer = {
    buffered: 0,
    written: 0,
    dropped: 0,
    deadLettered: 0,
    reachable: 1,
  };
  const readWriter = () => {
    const status = sources.metering();
    writer.buffered = status.buffered;
    writer.written = status.written;
    writer.dropped = status.dropped;
    writer.deadLettered = status.deadLettered;
    writer.reachable = status.databaseReachable ? 1 : 0;
  };
  new Gauge({
    name: 'modelgraph_usage_records_buffered',
    help: 'Usage records waiting to be written.',
    registers,
    collect() {
      readWriter();
      this.set(writer.buffered);
    },
  });
  const total = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  total('modelgraph_usage_records_written_total', 'Usage records written to the database.', () => writer.written);
  total('modelgraph_usage_records_dropped_total', 'Usage records lost: the buffer was full, or they could not be written nor dead-lettered.', () => writer.dropped);
  total('modelgraph_usage_records_dead_lettered_total', 'Usage records the database refused for good, kept in usage_dead_letters.', () => writer.deadLettered);
  new Gauge({
    name: 'modelgraph_usage_database_writable',
    help: '0 from a failed usage write until a write succeeds.',
    registers,
    collect() {
      this.set(writer.reachable);
    },
  });

  new Gauge({
    name: 'modelgraph_budget_leases',
    help: 'Budgets on which this instance holds a live lease.',
    registers,
    collect() {
      this.set(sources.leases().leases);
    },
  });
  new Gauge({
    name: 'modelgraph_budget_leased_micro_usd',
    help: 'Micro-USD held by this instance in budget leases, and reserved by requests in flight.',
    labelNames: ['state'],
    registers,
    collect() {
      const stats = sources.leases();
      this.set({ state: 'leased' }, Number(stats.leasedMicro));
      this.set({ state: 'reserved' }, Number(stats.reservedMicro));
    },
  });
  new Gauge({
    name: 'modelgraph_budget_lease_sync_failing',
    help: '1 while syncing budget leases with the database fails.',
    registers,
    collect() {
      this.set(sources.leases().syncFailing ? 1 : 0);
    },
  });
  new Counter({
    name: 'modelgraph_budget_database_unavailable_admissions_total',
    help: 'Requests with a budget admitted while the database could not be reached: served without a reservation, or refused (metering.budgetsWhenDatabaseUnavailable).',
    labelNames: ['decision'],
    registers,
    collect() {
      const counts = sources.databaseUnavailable();
      this.reset();
      this.inc({ decision: 'served' }, counts.served);
      this.inc({ decision: 'refused' }, counts.refused);
    },
  });
}
