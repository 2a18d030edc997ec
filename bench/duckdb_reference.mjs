// DuckDB as the reference system beside Braid's benchmarks (BENCHMARKS.md): the same aggregates
// as bench/agg_bench.cc over a 10M-row table, and, given the telemetry CSV that
// `view_bench --csv=PATH` writes, the expressions of bench/expression_bench.cc and the views of
// examples/iot.sql over the very events Braid used. DuckDB is the npm @duckdb/node-api of
// tests/oracle (scripts/deps.sh), run in memory with `SET threads = N` (default 1, so figures are
// per core). Each query runs once to warm up, then --repeat times; the median CPU time of the
// process is reported, as values (or rows) per second, and the sum of median wall times at the end.
//
// Usage: node bench/duckdb_reference.mjs [--rows=10000000] [--repeat=5] [--threads=1]
//                                        [--telemetry=PATH] [--only=aggregates|expressions|views]
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/oracle/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

function parseFlags(argv) {
  const flags = { rows: 10_000_000, repeat: 5, threads: 1, telemetry: null, only: null };
  for (const arg of argv) {
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!match || !(match[1] in flags)) throw new Error(`unknown argument ${arg}`);
    flags[match[1]] = typeof flags[match[1]] === 'number' ? Number(match[2]) : match[2];
  }
  return flags;
}

// The median CPU time of the process (user + system, all threads) in seconds over `repeat` runs
// of `sql`, after one warm-up run. CPU time, as Google Benchmark reports for Braid, so that other
// work on a shared machine does not count; the median wall time is kept for the record.
async function medianSeconds(connection, sql, repeat) {
  await connection.runAndReadAll(sql);
  const cpu = [];
  const wall = [];
  for (let i = 0; i < repeat; ++i) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await connection.runAndReadAll(sql);
    wall.push(Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1e6);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  wallSeconds.push(median(wall));
  return median(cpu);
}
const wallSeconds = [];

function rate(perSecond) {
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} G`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  return `${(perSecond / 1e3).toFixed(1)} K`;
}

// agg_bench's inputs: uniform BIGINT in [0, 1M), DOUBLE in [0, 1000), 'device-N' of 100k
// strings, BIGINT with 10% NULL; g spreads rows over 1,000 groups. Deterministic (hash of i).
function aggregateTableSql(rows) {
  return `CREATE TABLE agg AS SELECT
      (hash(i) % 1000000)::BIGINT AS b,
      (hash(i + 1) % 1000000000)::DOUBLE / 1e6 AS d,
      'device-' || (hash(i + 2) % 100000)::VARCHAR AS s,
      CASE WHEN hash(i + 3) % 10 = 0 THEN NULL ELSE (hash(i) % 1000000)::BIGINT END AS bn,
      (hash(i + 4) % 1000)::INTEGER AS g
    FROM range(${rows}) t(i)`;
}

const AGGREGATES = [
  ['COUNT(*)', 'count(*)'],
  ['COUNT(x), 10% NULL', 'count(bn)'],
  ['SUM(BIGINT)', 'sum(b)'],
  ['SUM(BIGINT), 10% NULL', 'sum(bn)'],
  ['SUM(DOUBLE)', 'sum(d)'],
  ['SUM(DOUBLE) compensated (kahan_sum)', 'kahan_sum(d)'],
  ['AVG(DOUBLE)', 'avg(d)'],
  ['MIN(BIGINT)', 'min(b)'],
  ['MAX(DOUBLE)', 'max(d)'],
  ['MIN(STRING)', 'min(s)'],
  ['VAR(DOUBLE)', 'var_samp(d)'],
  ['STDEV(BIGINT)', 'stddev_samp(b)'],
  ['COUNT(DISTINCT BIGINT)', 'count(DISTINCT b)'],
  ['COUNT(DISTINCT STRING)', 'count(DISTINCT s)'],
  ['APPROX_COUNT_DISTINCT(BIGINT)', 'approx_count_distinct(b)'],
  ['PERCENTILE_CONT(DOUBLE, 0.5)', 'quantile_cont(d, 0.5)'],
  ['PERCENTILE_APPROX(DOUBLE, 0.5)', 'approx_quantile(d, 0.5)'],
];

// One state (no GROUP BY) and 1,000 groups; the outer sum keeps the grouped aggregate alive
// without shipping 1,000 rows to node.
async function benchAggregates(connection, flags) {
  await connection.run(aggregateTableSql(flags.rows));
  const threads = `${flags.threads} thread(s)`;
  console.log(`\n### DuckDB aggregates, ${flags.rows} rows, ${threads}, values/s\n`);
  console.log('| aggregate | single | 1,000 groups |\n|---|---|---|');
  for (const [name, call] of AGGREGATES) {
    const single = await medianSeconds(connection, `SELECT ${call} FROM agg`, flags.repeat);
    const grouped = await medianSeconds(
      connection, `SELECT count(x) FROM (SELECT g, ${call} AS x FROM agg GROUP BY g)`,
      flags.repeat);
    console.log(`| ${name} | ${rate(flags.rows / single)} | ${rate(flags.rows / grouped)} |`);
  }
}

async function loadTelemetry(connection, path) {
  await connection.run(`CREATE TABLE events AS SELECT * FROM read_csv('${path}', header = false,
      delim = ',', nullstr = '', columns = {'device_id': 'VARCHAR', 'event_us': 'BIGINT',
      'temperature': 'DOUBLE', 'energy_consumed': 'DOUBLE', 'user_id': 'VARCHAR',
      'event_type': 'VARCHAR', 'session_duration': 'DOUBLE', 'revenue': 'DOUBLE'})`);
  const reader = await connection.runAndReadAll('SELECT count(*)::DOUBLE FROM events');
  return reader.getRows()[0][0];
}

const ALERT_LEVEL = `CASE WHEN temperature > 85 THEN 'HIGH_TEMP' WHEN temperature < 32
    THEN 'LOW_TEMP' ELSE 'NORMAL' END`;
const EXPRESSIONS = [
  ['filter/compare_and_like',
    "SELECT count(*) FROM events WHERE temperature > 30 AND device_id LIKE 'device-001%'"],
  ['filter/compare', 'SELECT count(*) FROM events WHERE temperature > 75'],
  ['filter/like_prefix', "SELECT count(*) FROM events WHERE device_id LIKE 'device-001%'"],
  ['arithmetic/fahrenheit', 'SELECT max(temperature * 1.8 + 32) FROM events'],
  ['arithmetic/energy_per_degree',
    'SELECT max(energy_consumed * 1000 / (temperature + 273.15)) FROM events'],
  ['case/alert_level', `SELECT max(${ALERT_LEVEL}) FROM events`],
];

async function benchExpressions(connection, flags, events) {
  console.log(`\n### DuckDB expressions, ${events} telemetry rows, ${flags.threads} thread(s)\n`);
  console.log('| expression | rows/s |\n|---|---|');
  for (const [name, sql] of EXPRESSIONS) {
    const seconds = await medianSeconds(connection, sql, flags.repeat);
    console.log(`| ${name} | ${rate(events / seconds)} |`);
  }
}

// The tumbling window end of examples/iot.sql's views: the epoch-aligned ceiling of event_us.
function windowed(size, where = 'TRUE') {
  return `(SELECT *, event_us + ((-event_us) % ${size} + ${size}) % ${size} AS we FROM events
      WHERE ${where})`;
}

const VIEWS = [
  ['device_metrics', `SELECT device_id, we, count(*), avg(temperature), max(temperature),
      min(temperature), stddev_samp(temperature), quantile_cont(temperature, 0.95),
      sum(energy_consumed), count(DISTINCT user_id), CASE WHEN avg(temperature) > 85 THEN
      'HIGH_TEMP' WHEN avg(temperature) < 32 THEN 'LOW_TEMP' ELSE 'NORMAL' END
      FROM ${windowed(60000000)} GROUP BY device_id, we`],
  ['user_activity', `SELECT event_type, we, count(*), count(DISTINCT user_id), sum(revenue),
      avg(session_duration), max(session_duration), date_part('hour', make_timestamp(we))
      FROM ${windowed(300000000, 'user_id IS NOT NULL')} GROUP BY event_type, we`],
  ['user_hourly', `SELECT user_id, we, count(*), count(DISTINCT device_id),
      count(*) FILTER (WHERE event_type = 'login'),
      count(*) FILTER (WHERE event_type = 'transaction'), sum(revenue)
      FROM ${windowed(3600000000, 'user_id IS NOT NULL')} GROUP BY user_id, we`],
];

// Each view's rows are materialized into a table, so DuckDB computes every column.
async function benchViews(connection, flags, events) {
  const threads = `${flags.threads} thread(s)`;
  console.log(`\n### DuckDB views of examples/iot.sql, ${events} events, ${threads}\n`);
  console.log('| view | events/s |\n|---|---|');
  for (const [name, sql] of VIEWS) {
    const seconds = await medianSeconds(
      connection, `CREATE OR REPLACE TEMP TABLE view_rows AS ${sql}`, flags.repeat);
    console.log(`| ${name} | ${rate(events / seconds)} |`);
  }
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`SET threads = ${flags.threads}`);
  const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0][0];
  console.log(`DuckDB ${version}, node ${process.version}`);
  if (!flags.only || flags.only === 'aggregates') await benchAggregates(connection, flags);
  if (flags.telemetry && flags.only !== 'aggregates') {
    const events = await loadTelemetry(connection, flags.telemetry);
    if (!flags.only || flags.only === 'expressions') {
      await benchExpressions(connection, flags, events);
    }
    if (!flags.only || flags.only === 'views') await benchViews(connection, flags, events);
  }
  const wall = wallSeconds.reduce((a, b) => a + b, 0);
  console.log(`\nmedian wall time summed over all queries: ${wall.toFixed(2)} s`);
}

main().catch((err) => {
  process.stderr.write(`duckdb_reference: ${err.message}\n`);
  process.exit(1);
});
