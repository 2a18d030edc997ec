-- The seed's e-commerce use case: website and mobile-app events (Event Hubs -> Braid's log).
-- The speed layer feeds real-time personalization (recent activity per shopper session, cart
-- abandonment) and the batch layer the business-intelligence roll-ups; one definition of each
-- view serves both. Load it with `braid serve --definitions examples/ecommerce.sql`.
CREATE STREAM shop_events (
  user_id    STRING NOT NULL,
  event_ts   TIMESTAMP NOT NULL,
  event_type STRING NOT NULL,  -- 'page_view', 'add_to_cart', 'purchase'
  product_id STRING,
  category   STRING,
  price      DOUBLE,
  quantity   BIGINT,
  channel    STRING            -- 'web' or 'mobile'
) WITH (partitions = 8, partition_key = 'user_id', timestamp = 'event_ts',
        out_of_order = '30s', allowed_lateness = '1m', retention = '30d');

-- Sales per category over the last 10 minutes, refreshed every minute (hopping window): the
-- "trending now" shelf.
CREATE VIEW category_sales AS
SELECT category,
       COUNT(*) FILTER (WHERE event_type = 'page_view') AS page_views,
       COUNT(*) FILTER (WHERE event_type = 'purchase') AS purchases,
       SUM(price * quantity) FILTER (WHERE event_type = 'purchase') AS revenue,
       COUNT(DISTINCT user_id) AS shoppers
FROM shop_events TIMESTAMP BY event_ts
WHERE category IS NOT NULL
GROUP BY category, HoppingWindow(minute, 10, 1);

-- One row per shopping session: a shopper's events until 30 minutes of silence (sessions cut
-- at 4 hours). A session with items in the cart and no purchase is an abandoned cart.
CREATE VIEW shopper_sessions AS
SELECT user_id,
       COUNT(*) AS events,
       COUNT(*) FILTER (WHERE event_type = 'add_to_cart') AS cart_adds,
       COUNT(*) FILTER (WHERE event_type = 'purchase') AS purchases,
       SUM(price * quantity) FILTER (WHERE event_type = 'purchase') AS revenue,
       CASE WHEN COUNT(*) FILTER (WHERE event_type = 'add_to_cart') > 0
             AND COUNT(*) FILTER (WHERE event_type = 'purchase') = 0
            THEN 'ABANDONED' ELSE 'OK' END AS cart_status
FROM shop_events TIMESTAMP BY event_ts
GROUP BY user_id, SessionWindow(minute, 30, 240, PARTITION BY user_id);

-- Hourly revenue per channel with the order-value distribution, for the BI reports.
CREATE VIEW channel_revenue AS
SELECT channel,
       COUNT(*) AS orders,
       SUM(price * quantity) AS revenue,
       AVG(price * quantity) AS avg_order_value,
       PERCENTILE_CONT(0.5) OVER (ORDER BY price * quantity) AS median_order_value
FROM shop_events TIMESTAMP BY event_ts
WHERE event_type = 'purchase'
GROUP BY channel, TumblingWindow(hour, 1);

-- Win back the shopper: a cart left behind.
CREATE ALERT abandoned_carts ON shopper_sessions WHERE cart_status = 'ABANDONED';
