// DuckDB as an independent oracle for Braid's tests and benchmarks. Runs each SQL statement given
// as a command-line argument (or, with none, the statements on stdin separated by lines holding
// only ';') in one in-memory database, and prints every result row as one JSON array per line.
// With --timing, each statement is followed by a line {"elapsed_ms": <wall time>}.
// Exit code 1 with the error on stderr when a statement fails.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

function statementsFromArgs(argv) {
  const args = argv.filter((a) => a !== '--timing');
  if (args.length > 0) return args;
  return readFileSync(0, 'utf8').split(/^;\s*$/m).map((s) => s.trim()).filter((s) => s.length);
}

async function main() {
  const argv = process.argv.slice(2);
  const timing = argv.includes('--timing');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const sql of statementsFromArgs(argv)) {
    const start = process.hrtime.bigint();
    const reader = await connection.runAndReadAll(sql);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    for (const row of reader.getRowsJson()) process.stdout.write(JSON.stringify(row) + '\n');
    if (timing) process.stdout.write(JSON.stringify({ elapsed_ms: elapsedMs }) + '\n');
  }
}

main().catch((err) => {
  process.stderr.write(`duckdb_query: ${err.message}\n`);
  process.exit(1);
});
