// Execution of the view and alert statements (CREATE [OR REPLACE] VIEW / ALERT, DROP, SHOW and
// DESCRIBE of views and alerts) against the catalog, which binds and persists them. Defining a
// view makes it durable and validated; computing it is the batch and speed layers' job. Thread-
// safe as Catalog is; changes are serialized by the caller (Database).
#pragma once

#include "serving/query_result.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace braid::serving {

// message: "view v created" (or unchanged / replaced), then any binder warnings with positions.
Result<QueryResult> ExecuteCreateView(const sql::CreateViewStatement& statement,
                                      sql::Catalog& catalog);
Result<QueryResult> ExecuteCreateAlert(const sql::CreateAlertStatement& statement,
                                       sql::Catalog& catalog);
// DROP VIEW / DROP ALERT (statement.kind is kView or kAlert).
Result<QueryResult> ExecuteDropViewOrAlert(const sql::DropStatement& statement,
                                           sql::Catalog& catalog);
// SHOW VIEWS: name, stream, window, keys, columns. SHOW ALERTS: name, view, condition.
QueryResult ShowViews(const sql::Catalog& catalog);
QueryResult ShowAlerts(const sql::Catalog& catalog);
// DESCRIBE of a view: one row per output column (column, type, nullable, role: key,
// window_start, window_end or output); of an alert: one row (view, condition). message = the
// canonical SQL. nullptr-free: the caller passes an existing plan.
QueryResult DescribeView(const sql::ViewPlan& plan);
QueryResult DescribeAlert(const sql::AlertPlan& alert);

}  // namespace braid::serving
