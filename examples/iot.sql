-- The seed's IoT scenario: device telemetry and user activity in one stream
-- (Event Hubs -> Braid's ingestion log). Views and alerts over it arrive with the view layer.
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
