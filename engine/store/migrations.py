"""The store's schema as forward migrations: migration N takes a store from version N to N+1
(PRAGMA user_version). Never edit a released migration; add the next one."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: events, legs, batches
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, imported_at INTEGER NOT NULL,
        rows INTEGER NOT NULL, added INTEGER NOT NULL);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        account TEXT NOT NULL, asset TEXT NOT NULL, side TEXT NOT NULL, ts INTEGER NOT NULL,
        quantity TEXT NOT NULL, price TEXT, quote TEXT NOT NULL, fee TEXT NOT NULL,
        fee_asset TEXT NOT NULL, price_usd TEXT, fee_usd TEXT, trade_id TEXT, tx_id TEXT,
        address TEXT, note TEXT, counterpart_account TEXT, lots TEXT, source TEXT NOT NULL);
    CREATE TABLE pools (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, asset TEXT NOT NULL, UNIQUE (account, asset));
    -- kind: 0 acquire, 1 dispose, 2 move out, 3 move in (engine.ledger.legs);
    -- quantity and usd are fixed-point ints (10**-18 units): INTEGER when they fit, else TEXT
    CREATE TABLE legs (
        event_id INTEGER NOT NULL REFERENCES events(id), seq INTEGER NOT NULL,
        pool_id INTEGER NOT NULL REFERENCES pools(id), kind INTEGER NOT NULL, ts INTEGER NOT NULL,
        quantity NOT NULL, usd, ref TEXT NOT NULL, identification TEXT, counterpart TEXT,
        tx_id TEXT, flag TEXT,
        has_extra INTEGER GENERATED ALWAYS AS (CASE WHEN identification IS NULL AND counterpart IS NULL
            AND tx_id IS NULL AND flag IS NULL THEN NULL ELSE 1 END) VIRTUAL,
        -- clustered in processing order: the ledger load is one sequential scan
        PRIMARY KEY (ts, event_id, seq)) WITHOUT ROWID;
    """,
    # 2: the harvest checklist and specific identifications recorded by harvest
    """
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, goal TEXT NOT NULL,
        tax_year INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE steps (
        id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL REFERENCES plans(id), number INTEGER NOT NULL,
        account TEXT NOT NULL, asset TEXT NOT NULL, term TEXT NOT NULL, quantity TEXT NOT NULL,
        lots TEXT NOT NULL, expected_proceeds TEXT NOT NULL, cost_basis TEXT NOT NULL,
        savings TEXT NOT NULL, carryforward TEXT NOT NULL, trading_cost TEXT NOT NULL,
        rebuy INTEGER NOT NULL, rebuy_wait_hours INTEGER NOT NULL, state TEXT NOT NULL,
        identified_at INTEGER, sold_at INTEGER, sale_ref TEXT, rebuy_after INTEGER,
        rebought_at INTEGER, rebuy_ref TEXT, reason TEXT, updated_at INTEGER NOT NULL,
        UNIQUE (plan_id, number));
    CREATE TABLE step_history (
        step_id INTEGER NOT NULL REFERENCES steps(id), at INTEGER NOT NULL, from_state TEXT NOT NULL,
        to_state TEXT NOT NULL, note TEXT);
    CREATE TABLE identifications (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, asset TEXT NOT NULL, lots TEXT NOT NULL,
        quantity TEXT NOT NULL, recorded_at INTEGER NOT NULL, source TEXT NOT NULL,
        step_id INTEGER REFERENCES steps(id), sale_ref TEXT UNIQUE);
    CREATE TABLE prices (
        asset TEXT PRIMARY KEY, price TEXT NOT NULL, ts INTEGER NOT NULL, source TEXT NOT NULL);
    """,
    # 3: exchange sync: resumable cursors, historical USD prices, balance reconciliation
    """
    CREATE TABLE sync_cursors (
        account TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, stream));
    CREATE TABLE usd_prices (
        asset TEXT NOT NULL, minute INTEGER NOT NULL, price TEXT, source TEXT NOT NULL,
        PRIMARY KEY (asset, minute));
    CREATE TABLE reconciliation (
        account TEXT NOT NULL, asset TEXT NOT NULL, ledger TEXT NOT NULL, exchange TEXT NOT NULL,
        checked_at INTEGER NOT NULL, PRIMARY KEY (account, asset));
    """,
    # 4: the monitor's alert memory
    """
    CREATE TABLE alert_state (
        key TEXT PRIMARY KEY, active INTEGER NOT NULL, value TEXT NOT NULL, sent_at INTEGER NOT NULL);
    """,
    # 5: one encoding for amounts: the events table's decimal strings ("1.5") become fixed-point
    # units as digits ("1500000000000000000"), as every other table already holds them
    # (harvest_units: engine.store.encoding)
    """
    UPDATE events SET quantity = harvest_units(quantity), price = harvest_units(price),
        fee = harvest_units(fee), price_usd = harvest_units(price_usd), fee_usd = harvest_units(fee_usd);
    """,
    # 6: an exchange trade is known by its market and id (Binance numbers trades per market, so
    # `account|id|42` named two trades and dropped the second); see Event.natural_key
    """
    UPDATE events SET natural_key = account || '|id|' || asset || '/' || quote || '|' || trade_id
    WHERE source LIKE 'ccxt:%' AND side IN ('buy', 'sell') AND trade_id IS NOT NULL;
    """,
    # 7: the alert outbox: an alert is queued for each sink in the transaction that records it, and
    # marked delivered per sink, so a kill or a failing sink delays an alert instead of losing it
    """
    CREATE TABLE IF NOT EXISTS alert_outbox (
        id INTEGER PRIMARY KEY, alert TEXT NOT NULL, sink TEXT NOT NULL, queued_at INTEGER NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER, dropped_at INTEGER);
    CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox (id) WHERE delivered_at IS NULL AND dropped_at IS NULL;
    """,
    # 8: the quantity step each exchange account accepts for an asset (its market's amount
    # precision, kept by sync; fixed-point units as digits), so a plan sells what can be ordered
    """
    CREATE TABLE IF NOT EXISTS amount_steps (
        account TEXT NOT NULL, asset TEXT NOT NULL, step TEXT NOT NULL, market TEXT NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (account, asset));
    """,
    # 9: native importers: the exact totals a file gives (Event.subtotal, Event.value_usd, units like
    # every amount column), and rows of a type harvest cannot read yet (side 'unclassified', no
    # legs), found by the problems list through this index
    """
    ALTER TABLE events ADD COLUMN subtotal TEXT;
    ALTER TABLE events ADD COLUMN value_usd TEXT;
    CREATE INDEX IF NOT EXISTS events_unclassified ON events (account, asset) WHERE side = 'unclassified';
    """,
    # 10: one fill from a file and from sync is stored once (engine.ledger.cross_source): the
    # records skipped as the other source's twin, each with the record kept; and the synced buys
    # and sells by account, pair and time (only those: a file's bulk import pays no index; its
    # trades are found through the legs, which are kept in time order)
    """
    CREATE TABLE IF NOT EXISTS cross_source (
        natural_key TEXT PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS cross_source_kept ON cross_source (event_id);
    CREATE INDEX IF NOT EXISTS events_synced_fills ON events (account, asset, quote, ts)
        WHERE side IN ('buy', 'sell') AND substr(source, 1, 5) = 'ccxt:';
    """,
    # 11: the user's decisions (engine.ledger.decisions): appended with their time and reason,
    # marked undone (never deleted), naming records by natural key so they survive re-imports
    """
    CREATE TABLE IF NOT EXISTS decisions (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,
        reason TEXT NOT NULL, made_at INTEGER NOT NULL, undone_at INTEGER);
    CREATE INDEX IF NOT EXISTS decisions_in_force ON decisions (kind, subject) WHERE undone_at IS NULL;
    """,
    # 12: prices filled in for records without a USD value (engine.exchanges.price_fill): each
    # filled price with the record it values, its source, candle interval and time (a refill moves
    # the id: the ledger mark); candles looked up, found or not, per asset, minute and exchange;
    # and the flagged legs by record, so finding what needs a price reads no other leg
    """
    CREATE TABLE IF NOT EXISTS price_fills (
        id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES events(id), asset TEXT NOT NULL,
        price TEXT NOT NULL, source TEXT NOT NULL, market TEXT, interval TEXT NOT NULL,
        priced_at INTEGER NOT NULL, filled_at INTEGER NOT NULL, UNIQUE (event_id, asset));
    CREATE TABLE IF NOT EXISTS history_prices (
        asset TEXT NOT NULL, minute INTEGER NOT NULL, source TEXT NOT NULL, price TEXT, market TEXT,
        interval TEXT, priced_at INTEGER, why TEXT, fetched_at INTEGER NOT NULL,
        PRIMARY KEY (asset, minute, source)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS legs_flagged ON legs (event_id) WHERE flag IS NOT NULL;
    """,
    # 13: the events' natural key unique through a named index, not a column constraint (whose
    # automatic index cannot be dropped), so a large import into a store holding fewer records
    # can drop it, append its rows, and build it again in one sorted pass
    # (engine.store.columnar_import); the table rebuilt as SQLite documents it, foreign-key
    # checks off (REBUILDS), the same columns in the same order, every row and id kept
    """
    CREATE TABLE events_rebuilt (
        id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        account TEXT NOT NULL, asset TEXT NOT NULL, side TEXT NOT NULL, ts INTEGER NOT NULL,
        quantity TEXT NOT NULL, price TEXT, quote TEXT NOT NULL, fee TEXT NOT NULL,
        fee_asset TEXT NOT NULL, price_usd TEXT, fee_usd TEXT, trade_id TEXT, tx_id TEXT,
        address TEXT, note TEXT, counterpart_account TEXT, lots TEXT, source TEXT NOT NULL,
        subtotal TEXT, value_usd TEXT);
    INSERT INTO events_rebuilt SELECT id, natural_key, batch_id, account, asset, side, ts, quantity, price,
        quote, fee, fee_asset, price_usd, fee_usd, trade_id, tx_id, address, note, counterpart_account, lots,
        source, subtotal, value_usd FROM events ORDER BY id;
    DROP TABLE events;
    ALTER TABLE events_rebuilt RENAME TO events;
    CREATE UNIQUE INDEX events_natural_key ON events (natural_key);
    CREATE INDEX events_unclassified ON events (account, asset) WHERE side = 'unclassified';
    CREATE INDEX events_synced_fills ON events (account, asset, quote, ts)
        WHERE side IN ('buy', 'sell') AND substr(source, 1, 5) = 'ccxt:';
    """,
    # 14: a random token made anew by every change the lots are computed from (an import batch, a
    # price filled, changed or dropped, a decision made or undone, a sale linked to its
    # identification), by triggers so no write path can miss it: the ledger mark carries it
    # (engine.store.changes), so two stores at one path (one deleted and made again) or two
    # histories of one store (a fill dropped and another made, a backup restored) never share a
    # mark, as counts and latest ids can
    """
    CREATE TABLE IF NOT EXISTS ledger_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL);
    INSERT OR IGNORE INTO ledger_generation VALUES (1, lower(hex(randomblob(16))));
    CREATE TRIGGER IF NOT EXISTS ledger_generation_batch AFTER INSERT ON batches
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_fill_added AFTER INSERT ON price_fills
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_fill_changed AFTER UPDATE ON price_fills
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_fill_dropped AFTER DELETE ON price_fills
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_decision_made AFTER INSERT ON decisions
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_decision_changed AFTER UPDATE ON decisions
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_sale_linked AFTER UPDATE OF sale_ref ON identifications
        WHEN NEW.sale_ref IS NOT OLD.sale_ref
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    """,
    # 15: every leg deleted or changed makes a new ledger generation too (a price fill replaces a
    # record's legs: deleted, then inserted), so the mark moves with every write to `legs`; and
    # the legs' own generation: a random token made anew only by what writes legs — an import
    # batch (legs are inserted only with one, or after a fill's delete), a price fill added,
    # changed or dropped, a leg deleted or changed — not by a decision or an identification
    # (applied to the legs as they are read). The legs kept beside the store
    # (engine.store.legs_cache) are keyed by it, so a decision in the app does not make them stale.
    # (No trigger on a leg inserted: it would cost every imported leg.)
    """
    CREATE TRIGGER IF NOT EXISTS ledger_generation_legs_deleted AFTER DELETE ON legs
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS ledger_generation_legs_changed AFTER UPDATE ON legs
        BEGIN UPDATE ledger_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TABLE IF NOT EXISTS legs_generation (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL);
    INSERT OR IGNORE INTO legs_generation VALUES (1, lower(hex(randomblob(16))));
    CREATE TRIGGER IF NOT EXISTS legs_generation_batch AFTER INSERT ON batches
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS legs_generation_fill_added AFTER INSERT ON price_fills
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS legs_generation_fill_changed AFTER UPDATE ON price_fills
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS legs_generation_fill_dropped AFTER DELETE ON price_fills
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS legs_generation_deleted AFTER DELETE ON legs
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    CREATE TRIGGER IF NOT EXISTS legs_generation_changed AFTER UPDATE ON legs
        BEGIN UPDATE legs_generation SET token = lower(hex(randomblob(16))); END;
    """,
)
# the migrations that rebuild a table (drop and rename it): run with foreign-key checks off, as
# SQLite's procedure says, and checked with PRAGMA foreign_key_check before they commit
REBUILDS = frozenset({12})
SCHEMA_VERSION = len(MIGRATIONS)
