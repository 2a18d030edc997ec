-- The seed's IoT scenario: device telemetry and user activity in one stream
-- (Event Hubs -> Braid's ingestion log), the speed layer's per-minute device metrics with the
-- seed's alert levels, an alert on them, and the seed's user-activity summaries over the same
-- events. tests/sql/view_oracle_test.cc checks every view here against DuckDB.
CREATE STREAM telemetry (
  device_id        STRING NOT NULL,
  event_ts         TIMESTAMP NOT NULL,
  temperature      DOUBLE,
  energy_consumed  DOUBLE,
  user_id          STRING,
  event_type       STRING,
  session_duration DOUBLE,
  revenue          DOUBLE
) WITH (partitions = 16, partition_key = 'device_id', timestamp = 'event_ts',
        out_of_order = '10s', allowed_lateness = '5s', out_of_order_policy = 'adjust',
        retention = '7d');

-- Device metrics per device per minute (the seed's DeviceMetrics and Anomalies steps in one
-- view): the alert level is computed on the finalized AVG of each window.
CREATE VIEW device_metrics AS
SELECT device_id,
       System.Timestamp() AS window_end,
       COUNT(*) AS event_count,
       AVG(temperature) AS avg_temperature,
       MAX(temperature) AS max_temperature,
       MIN(temperature) AS min_temperature,
       STDEV(temperature) AS stddev_temperature,
       PERCENTILE_CONT(0.95) OVER (ORDER BY temperature) AS p95_temperature,
       SUM(energy_consumed) AS total_energy,
       COUNT(DISTINCT user_id) AS unique_users,
       CASE WHEN AVG(temperature) > 85 THEN 'HIGH_TEMP'
            WHEN AVG(temperature) < 32 THEN 'LOW_TEMP'
            ELSE 'NORMAL' END AS alert_level
FROM telemetry TIMESTAMP BY event_ts
GROUP BY device_id, TumblingWindow(minute, 1);

-- The seed's "Anomaly Detection -> Teams Notifications": every non-normal device minute.
CREATE ALERT temperature_alerts ON device_metrics WHERE alert_level <> 'NORMAL';

-- User activity per event type per 5 minutes (the seed's user_activity_summary, windowed).
CREATE VIEW user_activity AS
SELECT event_type,
       COUNT(*) AS event_count,
       COUNT(DISTINCT user_id) AS unique_users,
       SUM(revenue) AS total_revenue,
       AVG(session_duration) AS avg_session_duration,
       MAX(session_duration) AS max_session_duration,
       DATEPART(hour, System.Timestamp()) AS hour_of_day
FROM telemetry TIMESTAMP BY event_ts
WHERE user_id IS NOT NULL
GROUP BY event_type, TumblingWindow(minute, 5);

-- Per user per hour: logins and transactions counted with FILTER, as the seed's batch job does
-- with sum(when(event_type == ...)).
CREATE VIEW user_hourly AS
SELECT user_id,
       COUNT(*) AS total_events,
       COUNT(DISTINCT device_id) AS unique_devices,
       COUNT(*) FILTER (WHERE event_type = 'login') AS login_count,
       COUNT(*) FILTER (WHERE event_type = 'transaction') AS transaction_count,
       SUM(revenue) AS total_revenue
FROM telemetry TIMESTAMP BY event_ts
WHERE user_id IS NOT NULL
GROUP BY user_id, TumblingWindow(hour, 1);

-- Big spenders within the hour, for the personalization side of the speed layer.
CREATE ALERT high_revenue_users ON user_hourly WHERE total_revenue > 1500;
