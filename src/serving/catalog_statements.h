// Execution of the catalog statements (CREATE/ALTER/DROP STREAM, SHOW, DESCRIBE) against the
// catalog and the ingestion log. The catalog change is made durable first and the log follows it:
// a crash in between is repaired at the next start (Database::Open opens the log of every cataloged
// stream and removes logs of streams the catalog no longer has). Thread-safe as Catalog and
// LogManager are; CREATE and DROP of one name are serialized by the caller (Database).
#pragma once

#include "log/log_manager.h"
#include "serving/query_result.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace braid::serving {

// The log configuration of a stream definition (partitioning, timestamp column, retention).
log::StreamLogConfig LogConfigFor(const sql::StreamDefinition& definition);

Result<QueryResult> ExecuteCreateStream(const sql::CreateStreamStatement& statement,
                                        sql::Catalog& catalog, log::LogManager& logs);
// ALTER STREAM ... ADD COLUMN: the catalog's definition first, then the log's schema, so ingest
// decodes the new column at once; the log's older batches read it as NULL.
Result<QueryResult> ExecuteAlterStream(const sql::AlterStreamStatement& statement,
                                       sql::Catalog& catalog, log::LogManager& logs);
Result<QueryResult> ExecuteDrop(const sql::DropStatement& statement, sql::Catalog& catalog,
                                log::LogManager& logs);
// SHOW STREAMS: name, partitions, partition_key, timestamp, events. SHOW VIEWS and SHOW ALERTS
// list the (so far always empty) sets of views and alerts with their name column.
Result<QueryResult> ExecuteShow(const sql::ShowStatement& statement, const sql::Catalog& catalog,
                                const log::LogManager& logs);
// DESCRIBE: one row per column (column, type, nullable, role); message = the canonical SQL.
Result<QueryResult> ExecuteDescribe(const sql::DescribeStatement& statement,
                                    const sql::Catalog& catalog);

}  // namespace braid::serving
