import os from 'node:os';

/** Where and when the figures were measured: they mean little without it. */
export interface MachineInfo {
  date: string;
  os: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** 1, 5 and 15-minute load averages when the bench started: other work on the machine skews every timing. */
  loadAverage: number[];
}

export function describeMachine(now = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    date: now.toISOString(),
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    // availableParallelism honours cgroup/affinity limits where os.cpus() lists every host core.
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
