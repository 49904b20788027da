"""booking_statement: on PostgreSQL, a booking's writes in one round trip (``bilans_book``)

Python decides everything a rule decides (eligibility, "bookable", the open case, further
meetings) on a snapshot read before, renders the confirmation mail, and sends one statement,
``SELECT * FROM bilans_book(:plan)``, that re-checks the snapshot still holds (else ``stale``:
Python reads again and decides again), takes the seat (``taken < capacity``, else ``full``)
and the under-25 place, records the participant (a proven requester updates, anyone else finds
them as stored), the consents, a new case with its number, the booking, the outbox mail and
the audit lines, in the one transaction of that statement (autocommit: no BEGIN/COMMIT trips).
A lost race after the first write raises ``bilans_book:<outcome>``, so nothing of it is kept.

The booking, case and mail rows come as JSON objects whose keys are the columns Python writes
on SQLite (``bilans_insert_row``), so a column added to those rows later is written by both
engines without a new version of this function. SQLite: nothing (its body runs in the lane).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | tuple[str, ...] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT_ROW = """
CREATE OR REPLACE FUNCTION bilans_insert_row(tbl regclass, r jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    cols text;
    new_id bigint;
BEGIN
    SELECT string_agg(quote_ident(k), ', ') INTO cols FROM jsonb_object_keys(r) AS k;
    EXECUTE format(
        'INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) RETURNING id',
        tbl, cols, cols, tbl
    ) INTO new_id USING r;
    RETURN new_id;
END $$
"""

BOOK = """
CREATE OR REPLACE FUNCTION bilans_book(p jsonb)
RETURNS TABLE (outcome text, booking_id bigint, case_code text, participant_id bigint,
               case_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_now timestamptz := (p->>'now')::timestamptz;
    v_slot bigint := (p->>'slot_id')::bigint;
    v_person jsonb := p->'person';
    v_proven boolean := (p->>'proven')::boolean;
    v_expected_case bigint := (p->>'case_id')::bigint;
    v_pid bigint;
    v_created timestamptz;
    v_case bigint;
    v_code text;
    v_n integer;
    v_id bigint;
BEGIN
    -- The snapshot Python decided on: the slot's duty, time and counsellor as read.
    PERFORM 1 FROM slot s
        JOIN duty d ON d.id = s.duty_id
        JOIN user_account u ON u.id = d.counsellor_id
        WHERE s.id = v_slot
          AND d.status = p->>'duty_status'
          AND s.starts_at = (p->>'starts_at')::timestamptz
          AND s.ends_at = (p->>'ends_at')::timestamptz
          AND d.counsellor_id = (p->>'counsellor_id')::bigint
          AND u.role = p->>'role' AND u.active = (p->>'active')::boolean;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, NULL::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    -- The seat: the database checks taken < capacity on the newest row version (S-rules).
    UPDATE slot SET taken = taken + 1 WHERE id = v_slot AND taken < capacity;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF p->>'window_id' IS NOT NULL THEN
        UPDATE under25_window SET used = used + 1
            WHERE id = (p->>'window_id')::bigint AND used < quota
              AND starts_on <= (p->>'today')::date AND ends_on >= (p->>'today')::date;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'bilans_book:window_full';
        END IF;
    END IF;
    -- The participant (the row stays locked to the end: the same person's requests queue here).
    IF v_proven THEN
        INSERT INTO participant AS t (first_name, last_name, email, phone, birth_date, education,
                                      employment, region_link, created_at, updated_at)
            SELECT first_name, last_name, email, phone, birth_date, education, employment,
                   region_link, created_at, updated_at
            FROM jsonb_populate_record(NULL::participant, v_person)
            ON CONFLICT (email, birth_date) DO UPDATE SET
                first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                phone = EXCLUDED.phone, education = EXCLUDED.education,
                employment = EXCLUDED.employment, region_link = EXCLUDED.region_link,
                updated_at = EXCLUDED.updated_at
            RETURNING t.id, t.created_at INTO v_pid, v_created;
    ELSE
        INSERT INTO participant AS t (first_name, last_name, email, phone, birth_date, education,
                                      employment, region_link, created_at, updated_at)
            SELECT first_name, last_name, email, phone, birth_date, education, employment,
                   region_link, created_at, updated_at
            FROM jsonb_populate_record(NULL::participant, v_person)
            ON CONFLICT (email, birth_date) DO UPDATE SET updated_at = t.updated_at
            RETURNING t.id, t.created_at INTO v_pid, v_created;
    END IF;
    IF v_pid IS DISTINCT FROM (p->>'participant_id')::bigint
       AND NOT (p->>'participant_id' IS NULL AND v_created = v_now) THEN
        RAISE EXCEPTION 'bilans_book:stale';  -- created by a request of the same person meanwhile
    END IF;
    -- Under the participant's lock: no live booking of this slot, the open case as read.
    PERFORM 1 FROM booking b
        WHERE b.participant_id = v_pid AND b.slot_id = v_slot AND b.status = p->>'booked';
    IF FOUND THEN
        RAISE EXCEPTION 'bilans_book:replay';
    END IF;
    SELECT c.id INTO v_case FROM bilans_case c
        WHERE c.participant_id = v_pid
          AND c.status IN (SELECT jsonb_array_elements_text(p->'active_statuses'))
        ORDER BY c.id DESC LIMIT 1;
    IF v_case IS DISTINCT FROM v_expected_case THEN
        RAISE EXCEPTION 'bilans_book:stale';
    END IF;
    IF v_case IS NOT NULL AND (
        SELECT count(*) FROM booking b
        WHERE b.case_id = v_case AND b.kind = p->>'follow_up'
          AND b.status IN (SELECT jsonb_array_elements_text(p->'counted'))
    ) <> (p->>'meetings')::integer THEN
        RAISE EXCEPTION 'bilans_book:stale';
    END IF;
    IF (v_created = v_now) OR v_proven THEN
        INSERT INTO audit_entry (actor_id, action, record, record_id, case_id, at)
        VALUES (NULL, CASE WHEN v_created = v_now THEN 'create' ELSE 'update' END,
                'participant', v_pid, NULL, v_now);
    END IF;
    INSERT INTO consent (participant_id, kind, version, accepted_at)
        SELECT v_pid, k, p->>'consent_version', v_now
        FROM jsonb_array_elements_text(p->'consents') AS k;
    IF v_case IS NULL THEN
        INSERT INTO case_sequence AS q (year, last) VALUES ((p->>'case_year')::integer, 1)
            ON CONFLICT (year) DO UPDATE SET last = q.last + 1
            RETURNING q.last INTO v_n;
        v_code := p->>'case_prefix' || lpad(v_n::text, greatest(5, length(v_n::text)), '0');
        v_case := bilans_insert_row('bilans_case', p->'case'
            || jsonb_build_object('code', v_code, 'participant_id', v_pid));
        INSERT INTO audit_entry (actor_id, action, record, record_id, case_id, at)
        VALUES (NULL, 'create', 'case', v_case, v_case, v_now);
    ELSE
        v_code := p->>'case_code';
    END IF;
    v_id := bilans_insert_row('booking', p->'booking'
        || jsonb_build_object('participant_id', v_pid, 'case_id', v_case));
    PERFORM bilans_insert_row('outbox_message',
        replace(replace((p->'mail')::text, p->>'booking_mark', v_id::text),
                p->>'case_mark', v_code)::jsonb
        || jsonb_build_object('booking_id', v_id));
    RETURN QUERY SELECT 'booked'::text, v_id, v_code, v_pid, v_case;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INSERT_ROW)
        op.execute(BOOK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bilans_book(jsonb)")
        op.execute("DROP FUNCTION IF EXISTS bilans_insert_row(regclass, jsonb)")
