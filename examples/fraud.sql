-- The seed's financial-transaction use case: ATM, POS and online-banking transactions
-- (Event Hubs -> Braid's log). The speed layer checks each card's velocity within minutes and
-- blocks the suspicious; the batch layer keeps the immutable history for compliance reports.
-- Load it with `braid serve --definitions examples/fraud.sql`.
CREATE STREAM transactions (
  card_id     STRING NOT NULL,
  txn_ts      TIMESTAMP NOT NULL,
  amount      DOUBLE NOT NULL,
  merchant_id STRING,
  country     STRING,
  channel     STRING,   -- 'atm', 'pos' or 'online'
  approved    BOOLEAN
) WITH (partitions = 16, partition_key = 'card_id', timestamp = 'txn_ts',
        out_of_order = '5s', allowed_lateness = '30s', out_of_order_policy = 'drop',
        retention = '90d');

-- Velocity per card over the last 10 minutes, every minute: many transactions, many countries
-- or a large total in a short time is the classic fraud signal.
CREATE VIEW card_velocity AS
SELECT card_id,
       COUNT(*) AS txn_count,
       SUM(amount) AS total_amount,
       MAX(amount) AS max_amount,
       COUNT(DISTINCT country) AS countries,
       COUNT(DISTINCT merchant_id) AS merchants,
       CASE WHEN COUNT(DISTINCT country) > 2 OR COUNT(*) > 20 THEN 'BLOCK'
            WHEN SUM(amount) > 5000 THEN 'REVIEW'
            ELSE 'OK' END AS risk_level
FROM transactions TIMESTAMP BY txn_ts
GROUP BY card_id, HoppingWindow(minute, 10, 1);

-- Bursts: a card's transactions until 2 minutes of silence (cut at 30 minutes), with declines.
CREATE VIEW card_bursts AS
SELECT card_id,
       COUNT(*) AS txn_count,
       COUNT(*) FILTER (WHERE NOT approved) AS declined,
       SUM(amount) AS total_amount
FROM transactions TIMESTAMP BY txn_ts
GROUP BY card_id, SessionWindow(minute, 2, 30, PARTITION BY card_id);

-- Daily totals per channel for the compliance reports, with the tail of the amounts.
CREATE VIEW channel_daily AS
SELECT channel,
       COUNT(*) AS txn_count,
       SUM(amount) AS total_amount,
       STDEV(amount) AS stddev_amount,
       PERCENTILE_CONT(0.99) OVER (ORDER BY amount) AS p99_amount
FROM transactions TIMESTAMP BY txn_ts
GROUP BY channel, TumblingWindow(day, 1);

-- Alert the security team and block the card.
CREATE ALERT suspicious_cards ON card_velocity WHERE risk_level = 'BLOCK';
CREATE ALERT declined_bursts ON card_bursts WHERE declined >= 3;
