"""How soon a publisher starts its next round: a busy round shares the next one's fixed cost
among more events; a quiet one leaves the next as soon as the shortest gap allows."""

from ioc.realtime.publisher import (
    BUSY_ROUND_EVENTS,
    BUSY_ROUND_GAP_SECONDS,
    ROUND_GAP_SECONDS,
    gap_after_round,
)


def test_a_quiet_round_keeps_the_short_gap_so_a_screen_sees_a_lone_report_at_once() -> None:
    assert gap_after_round(0) == ROUND_GAP_SECONDS
    assert gap_after_round(1) == ROUND_GAP_SECONDS
    assert gap_after_round(BUSY_ROUND_EVENTS - 1) == ROUND_GAP_SECONDS


def test_a_busy_round_is_followed_by_the_longer_gap() -> None:
    assert BUSY_ROUND_GAP_SECONDS > ROUND_GAP_SECONDS
    assert gap_after_round(BUSY_ROUND_EVENTS) == BUSY_ROUND_GAP_SECONDS
    assert gap_after_round(500) == BUSY_ROUND_GAP_SECONDS


def test_a_publisher_told_to_wait_longer_between_rounds_never_waits_less() -> None:
    assert gap_after_round(0, round_gap=0.2) == 0.2
    assert gap_after_round(500, round_gap=0.2) == 0.2
