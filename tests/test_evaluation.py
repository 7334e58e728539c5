"""`assistant eval`: question files, metric functions, summaries and the command line.

The metric expectations are worked out by hand in the comments (log2 discounts written
out), not with the functions under test, so a wrong formula cannot agree with itself.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from openai_server import Reply

from assistant import Answer, EvalError, Source
from assistant.answering.prompts import CANNOT_ANSWER
from assistant.cli import main
from assistant.evaluation import (
    EvalQuestion,
    EvalRun,
    QuestionOutcome,
    details,
    format_table,
    load_questions,
    metrics,
    run_evaluation,
    score_answer,
    score_retrieval,
    select_split,
    summarize,
)
from assistant.evaluation.runner import GateOutcome, RetrievalOutcome, TitleIndex
from assistant.results import Claim

REPO = Path(__file__).resolve().parents[1]
DEV_QUESTIONS = REPO / "eval" / "dev_questions.jsonl"


def write_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def question_line(**fields: object) -> str:
    record: dict[str, object] = {
        "qid": "q1",
        "question": "What is it?",
        "type": "single",
        "gold_titles": ["A paper"],
        "facts": ["a fact"],
    }
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...})


# -- question files ---------------------------------------------------------------------


def test_dev_set_loads_with_every_type():
    questions = load_questions(DEV_QUESTIONS)
    assert len(questions) == 47
    assert {q.type for q in questions} == {"single", "multi", "comparison", "unanswerable"}
    unanswerable = [q for q in questions if not q.answerable]
    assert unanswerable and all(not q.gold_titles and not q.facts for q in unanswerable)
    assert questions[0].qid == "dev001" and questions[0].line == 1


def test_blank_lines_are_skipped_and_line_numbers_kept(tmp_path):
    path = write_lines(tmp_path, "", question_line(qid="a"), "   ", question_line(qid="b"))
    questions = load_questions(path)
    assert [(q.qid, q.line) for q in questions] == [("a", 2), ("b", 4)]


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ('{"qid": "q2", "question": ', "not valid JSON"),
        ('["q2", "a list"]', "expected a JSON object, got a list"),
        (question_line(qid=...), "missing field 'qid'"),
        (question_line(question="  "), "field 'question' must be non-empty text"),
        (question_line(type=3), "field 'type' must be non-empty text, got a number"),
        (question_line(gold_titles="A paper"), "'gold_titles' must be a list of non-empty strings"),
        (question_line(facts=["ok", 7]), "'facts' must be a list of non-empty strings"),
        (question_line(gold_titles=[]), "gold_titles is empty"),
        (question_line(type="unanswerable"), "an unanswerable question has no gold_titles"),
        (question_line(qid="q0"), "qid 'q0' already used on line 1"),
        (question_line(split="train"), "field 'split' must be one of dev, test, got 'train'"),
        (
            question_line(type="unanswerable", gold_titles=[], facts=[], unanswerable_kind="x"),
            "field 'unanswerable_kind' must be one of topic, entity, detail",
        ),
        (question_line(unanswerable_kind="topic"), "unanswerable_kind is only for type"),
    ],
)
def test_bad_line_names_file_and_line(tmp_path, bad_line, problem):
    path = write_lines(tmp_path, question_line(qid="q0"), bad_line)
    with pytest.raises(EvalError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: ")
    assert problem in message
    assert "\n" not in message


def test_entity_questions_kinds_and_splits_load(tmp_path):
    path = write_lines(
        tmp_path,
        question_line(qid="e", type="entity", question="What is LUKE?", split="dev"),
        question_line(qid="u", type="unanswerable", gold_titles=[], facts=[],
                      unanswerable_kind="detail", split="test"),
        question_line(qid="n"),
    )  # fmt: skip
    questions = load_questions(path)
    assert [(q.type, q.unanswerable_kind, q.split) for q in questions] == [
        ("entity", None, "dev"),
        ("unanswerable", "detail", "test"),
        ("single", None, None),
    ]
    assert [q.qid for q in select_split(questions, "test")] == ["u"]
    assert select_split(questions, None) == questions
    with pytest.raises(EvalError, match="no question has split 'dev'"):
        select_split(questions[1:], "dev")


def test_the_team_question_set_has_both_splits_and_every_kind():
    questions = load_questions(REPO / "eval" / "questions.jsonl")
    assert len(questions) >= 300
    for split in ("dev", "test"):
        chosen = select_split(questions, split)
        assert {q.type for q in chosen} >= {"single", "entity", "multi", "comparison"}
        kinds = {q.unanswerable_kind for q in chosen if not q.answerable}
        assert kinds >= {"topic", "entity", "detail"}


def test_facts_may_be_left_out(tmp_path):
    path = write_lines(tmp_path, question_line(facts=...))
    assert load_questions(path)[0].facts == ()


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "no questions"), (b"\xff\xfe{", "not UTF-8"), (None, "no such question file")],
)
def test_unreadable_files(tmp_path, content, problem):
    path = tmp_path / "q.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(EvalError, match=problem):
        load_questions(path)


# -- metric functions, against hand computation -----------------------------------------

RANKED = ["B", "A", "C", "D", "E", "F", "G", "H", "I", "J", "K"]


def test_recall_at_k():
    assert metrics.recall_at_k(RANKED, {"A"}, 1) == 0
    assert metrics.recall_at_k(RANKED, {"A"}, 2) == 1
    # Two gold papers, one in the top 5 (C), one at rank 11 (K).
    assert metrics.recall_at_k(RANKED, {"C", "K"}, 5) == 0.5
    assert metrics.recall_at_k(RANKED, {"C", "K"}, 11) == 1
    # A gold paper the index does not hold can never be found.
    assert metrics.recall_at_k(RANKED, {"A", "unindexed:Z"}, 10) == 0.5


def test_reciprocal_rank():
    assert metrics.reciprocal_rank(RANKED, {"C", "D"}) == 1 / 3
    assert metrics.reciprocal_rank(RANKED, {"Z"}) == 0


def test_ndcg_at_10():
    # Gold at rank 2 only: DCG = 1/log2(3); ideal = 1/log2(2) = 1.
    assert metrics.ndcg_at_k(RANKED, {"A"}, 10) == pytest.approx(1 / math.log2(3))
    # Gold at ranks 1 and 6: (1 + 1/log2 7) / (1 + 1/log2 3).
    expected = (1 + 1 / math.log2(7)) / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at_k(RANKED, {"B", "F"}, 10) == pytest.approx(expected)
    # Rank 11 is past the cut-off.
    assert metrics.ndcg_at_k(RANKED, {"K"}, 10) == 0
    assert metrics.ndcg_at_k(["A", "B"], {"A", "B"}, 10) == pytest.approx(1.0)


def test_fact_recall_is_case_and_space_insensitive():
    text = "It learns a CODEBOOK and is tested on\nProcTHOR [1]."
    assert metrics.facts_found(text, ["codebook", "tested on procthor", "ManipulaTHOR"]) == [
        True,
        True,
        False,
    ]
    assert metrics.fact_recall(text, ["codebook", "ManipulaTHOR"]) == 0.5


def test_citation_precision_and_recall():
    assert metrics.citation_precision(["A", "B", "C"], {"A", "D"}) == pytest.approx(1 / 3)
    assert metrics.citation_precision([], {"A"}) is None
    assert metrics.citation_recall(["A", "B", "C"], {"A", "D"}) == 0.5


def test_percentile_interpolates_like_numpy():
    values = [0.4, 0.1, 0.3, 0.2]
    assert metrics.percentile(values, 50) == pytest.approx(0.25)
    # position (4 - 1) * 0.95 = 2.85: 0.3 + 0.85 * (0.4 - 0.3)
    assert metrics.percentile(values, 95) == pytest.approx(0.385)
    assert metrics.percentile([], 50) is None


def test_title_index_matches_normalised_titles_and_reports_the_rest():
    from assistant.collection import normalize_title

    index = TitleIndex(
        [("p1", "LUKE: Deep Contextualized Entity Representations")], normalize_title
    )
    ids, unmatched = index.gold_ids(["luke -  deep contextualized entity representations", "Other"])
    assert ids == ["p1", "unindexed:Other"]
    assert unmatched == ["Other"]


# -- a small run, summarised -----------------------------------------------------------


def _question(qid: str, qtype: str, gold: tuple[str, ...], facts: tuple[str, ...]) -> EvalQuestion:
    return EvalQuestion(qid, f"question {qid}?", qtype, gold, facts)


def _answer(answered: bool, text: str, sources: list[tuple[str, bool]], tokens: int) -> Answer:
    return Answer(
        question="?",
        text=text,
        answered=answered,
        mode="llm",
        sources=[
            Source(n, pid, f"title {pid}", "passage", cited)
            for n, (pid, cited) in enumerate(sources, 1)
        ],
        citations=[n for n, (_, cited) in enumerate(sources, 1) if cited],
        usage={"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens}
        if tokens
        else {},
    )


def _outcome(question, gold_ids, unmatched, ranked, answer, seconds):
    retrieval = RetrievalOutcome(
        [(pid, f"title {pid}") for pid in ranked], score_retrieval(ranked, gold_ids), 0.01
    )
    scored = score_answer(answer, question, gold_ids, seconds)
    return QuestionOutcome(question, gold_ids, unmatched, retrieval, scored)


@pytest.fixture
def small_run() -> EvalRun:
    """Four questions whose scores are worked out by hand below."""
    q1 = _question("q1", "single", ("Title A",), ("codebook", "ProcTHOR"))
    q2 = _question("q2", "multi", ("Title A", "Title B"), ("alpha", "beta"))
    q3 = _question("q3", "single", ("Missing title",), ("gamma",))
    q4 = _question("q4", "unanswerable", (), ())
    outcomes = [
        # q1: gold A at rank 2. Answer has "codebook" only; cites A and B (A gold).
        _outcome(
            q1, ["A"], [], ["B", "A", "C", "D", "E", "F", "G", "H", "I", "J"],
            _answer(True, "Codebook [1], more [2].", [("A", True), ("B", True), ("C", False)], 120),
            0.1,
        ),
        # q2: gold A at rank 1, B at rank 6. Answer has both facts; cites A only; B not a source.
        _outcome(
            q2, ["A", "B"], [], ["A", "C", "D", "E", "F", "B", "G", "H", "I", "J"],
            _answer(True, "ALPHA and beta [1].", [("A", True), ("C", False)], 230),
            0.2,
        ),
        # q3: its gold title matches no indexed paper. Declined.
        _outcome(
            q3, ["unindexed:Missing title"], ["Missing title"], ["C", "D", "E"],
            _answer(False, "The collection does not answer this.", [], 0),
            0.3,
        ),
        # q4: unanswerable, declined.
        _outcome(q4, [], [], ["D", "E"], _answer(False, "Not covered.", [], 0), 0.4),
    ]  # fmt: skip
    run = EvalRun(mode="answer", k=5, cutoffs=(1, 5, 10), answerer="llm", model="m")
    run.outcomes.extend(outcomes)
    return run


def test_retrieval_summary_agrees_with_hand_computation(small_run):
    retrieval = summarize(small_run)["retrieval"]
    ndcg_q1 = 1 / math.log2(3)  # gold at rank 2
    ndcg_q2 = (1 + 1 / math.log2(7)) / (1 + 1 / math.log2(3))  # gold at 1 and 6
    overall = retrieval["all"]  # q1, q2, q3; q4 is unanswerable
    assert overall["questions"] == 3
    assert overall["recall@1"] == pytest.approx((0 + 1 / 2 + 0) / 3)
    assert overall["recall@5"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert overall["recall@10"] == pytest.approx((1 + 1 + 0) / 3)
    assert overall["mrr"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert overall["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2 + 0) / 3)
    assert list(retrieval["by_type"]) == ["single", "multi"]
    single = retrieval["by_type"]["single"]  # q1 and q3
    assert single["questions"] == 2
    assert single["recall@5"] == pytest.approx(0.5)
    assert single["ndcg@10"] == pytest.approx(ndcg_q1 / 2)
    assert retrieval["by_type"]["multi"]["recall@5"] == pytest.approx(0.5)


def test_answer_summary_agrees_with_hand_computation(small_run):
    answers = summarize(small_run)["answers"]
    overall = answers["all"]
    assert overall["questions"] == 3
    assert overall["fact_recall"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    # Precision is undefined for q3 (nothing cited): mean of q1 1/2 and q2 1/1.
    assert overall["citation_precision"] == pytest.approx((1 / 2 + 1) / 2)
    assert overall["citation_recall"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert overall["source_recall"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert answers["abstention"] == {
        "declined_unanswerable": 1.0,
        "declined_answerable": pytest.approx(1 / 3),
    }
    assert answers["by_type"]["unanswerable"] == {"questions": 1, "declined": 1.0}
    # Latencies 0.1, 0.2, 0.3, 0.4 s: p50 250 ms, p95 at position 2.85 -> 385 ms.
    assert answers["latency_ms"] == {"p50": pytest.approx(250), "p95": pytest.approx(385)}
    assert answers["tokens"] == {"prompt_tokens": 330, "completion_tokens": 20, "total_tokens": 350}


def test_unmatched_gold_titles_are_reported(small_run):
    summary = summarize(small_run)
    assert summary["unmatched_gold"] == [{"qid": "q3", "title": "Missing title"}]
    table = format_table(summary)
    assert "1 gold title(s) match no indexed paper" in table
    assert "q3: Missing title" in table


def test_details_say_what_went_wrong(small_run):
    rows = {row["qid"]: row for row in details(small_run)}
    q1 = rows["q1"]
    assert [r["gold"] for r in q1["retrieved"][:3]] == [False, True, False]
    assert q1["answer"]["facts_missed"] == ["ProcTHOR"]
    assert q1["answer"]["cited_not_gold"] == ["B"]
    assert rows["q2"]["answer"]["uncited_gold"] == ["B"]
    assert rows["q3"]["gold_paper_ids"] == [] and rows["q3"]["unmatched_gold"] == ["Missing title"]
    json.dumps(list(rows.values()))  # every row is JSON-able


def test_table_lists_each_type_and_the_overall_row(small_run):
    table = format_table(summarize(small_run))
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("type") and "R@5" in line)
    assert header.split() == ["type", "n", "R@1", "R@5", "R@10", "MRR", "nDCG@10"]
    all_row = next(line for line in lines if line.startswith("all "))
    assert all_row.split()[1:4] == ["3", f"{1 / 6:.3f}", "0.500"]
    assert "declined: 100.0% of unanswerable, 33.3% of answerable" in table
    assert "tokens used: 350" in table


def test_gate_summary_agrees_with_hand_computation():
    questions = [
        EvalQuestion("a1", "q?", "single", ("A",), ("f",)),
        EvalQuestion("a2", "q?", "entity", ("B",), ()),
        EvalQuestion("u1", "q?", "unanswerable", (), (), unanswerable_kind="topic"),
        EvalQuestion("u2", "q?", "unanswerable", (), (), unanswerable_kind="detail"),
    ]
    gates = [
        GateOutcome(0.9, True, True, 1.0),
        GateOutcome(0.3, False, True, None),
        GateOutcome(0.1, False, False, None),
        GateOutcome(0.5, True, True, None),
    ]
    run = EvalRun(mode="retrieval", k=5, cutoffs=(1, 5, 10), answerer="extractive", model=None)
    run.thresholds = {"offline": 0.4, "with_model": 0.2}
    run.outcomes.extend(
        QuestionOutcome(
            q,
            list(q.gold_titles),
            [],
            RetrievalOutcome([], score_retrieval([], list(q.gold_titles)), 0.0),
            None,
            g,
        )
        for q, g in zip(questions, gates, strict=True)
    )
    gate = summarize(run)["abstention"]
    # Pairs (answerable, unanswerable): 0.9 beats 0.1 and 0.5; 0.3 beats 0.1 only -> 3/4.
    assert gate["auc"] == pytest.approx(3 / 4)
    assert gate["answerable"] == {
        "questions": 2,
        "declined_offline": 0.5,
        "declined_with_model": 0.0,
        "evidence_in_prompt": 1.0,
    }
    assert gate["unanswerable"]["declined_offline"] == 0.5
    assert gate["by_type"]["unanswerable:topic"]["declined_with_model"] == 1.0
    assert gate["by_type"]["unanswerable:detail"]["declined_offline"] == 0.0
    assert gate["evidence_complete"] == 1.0
    table = format_table(summarize(run))
    assert "ROC AUC 0.750" in table and "offline threshold 0.400" in table


def test_claims_are_counted_from_the_answer():
    base = _answer(True, "One [1]. Two [1].", [("A", True)], 0)
    verdicts = (True, False, True)
    claims = [Claim(f"c{i} [1].", [1], ok, 0.7 if ok else 0.2) for i, ok in enumerate(verdicts)]
    checked = replace(base, claims=claims)
    question = _question("c1", "single", ("A",), ("one",))
    outcome = score_answer(checked, question, ["A"])
    assert (outcome.claims_supported, outcome.claims_total) == (2, 3)
    assert score_answer(base, question, ["A"]).claims_total == 0
    run = EvalRun(mode="answer", k=5, cutoffs=(1, 5, 10), answerer="llm", model="m")
    retrieval = RetrievalOutcome([("A", "t")], score_retrieval(["A"], ["A"]), 0.0)
    run.outcomes.append(QuestionOutcome(question, ["A"], [], retrieval, outcome))
    summary = summarize(run)
    assert summary["answers"]["claims_supported"] == pytest.approx(2 / 3)
    assert "claims supported: 66.7%" in format_table(summary)


# -- command line -----------------------------------------------------------------------


def test_cli_bad_question_line_is_one_line_error(tmp_path, capsys):
    path = write_lines(tmp_path, question_line(), "{oops")
    status = main(["eval", str(path), "--mode", "retrieval"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"error: {path}:2: not valid JSON (")
    assert err.count("\n") == 1


def test_cli_missing_file_and_details_folder(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "nope.jsonl")]) == 1
    assert (
        capsys.readouterr().err.strip()
        == f"error: {tmp_path / 'nope.jsonl'}: no such question file"
    )
    path = write_lines(tmp_path, question_line())
    assert main(["eval", str(path), "--details", str(tmp_path / "no" / "d.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --details ") and "does not exist" in err and err.count("\n") == 1


# -- against the real seeded store ------------------------------------------------------

MISSING_TITLE = "A Paper That Is Not In This Collection"


@pytest.fixture
def seed_questions(seeded_assistant, tmp_path) -> Path:
    """Three questions written from seed abstracts, one naming a paper the store lacks."""
    papers = seeded_assistant.papers()
    first, second, third = papers[3], papers[100], papers[200]

    def opening(paper) -> str:
        return paper.abstract.split(". ")[0]

    return write_lines(
        tmp_path,
        question_line(qid="s1", question=opening(first), gold_titles=[first.title], facts=...),
        question_line(
            qid="s2",
            type="multi",
            question=f"{opening(second)}; {opening(third)}",
            gold_titles=[second.title.upper(), third.title, MISSING_TITLE],
            facts=...,
        ),
        question_line(qid="s3", type="unanswerable", question="Who won the 1998 World Cup?",
                      gold_titles=[], facts=[]),
    )  # fmt: skip


def test_runner_scores_agree_with_the_search_results(seeded_assistant, seed_questions):
    progress: list[tuple[int, int]] = []
    run = run_evaluation(
        seeded_assistant,
        load_questions(seed_questions),
        mode="retrieval",
        progress=lambda done, total, label: progress.append((done, total)),
    )
    assert progress == [(1, 3), (2, 3), (3, 3)]
    by_qid = {o.question.qid: o for o in run.outcomes}
    titles = {p.paper_id: p.title for p in seeded_assistant.papers()}

    # Independently: search again and find the gold papers' ranks by title.
    def gold_ranks(question: EvalQuestion) -> list[int]:
        hits = seeded_assistant.search(question.question, k=10)
        wanted = {t.casefold() for t in question.gold_titles}
        return [h.rank for h in hits if titles[h.paper_id].casefold() in wanted]

    s1 = by_qid["s1"]
    (rank,) = gold_ranks(s1.question)
    assert s1.retrieval.scores["mrr"] == pytest.approx(1 / rank)
    assert s1.retrieval.scores["ndcg@10"] == pytest.approx(1 / math.log2(rank + 1))
    assert s1.retrieval.scores["recall@5"] == (1.0 if rank <= 5 else 0.0)

    s2 = by_qid["s2"]  # three gold titles, one of which the store does not hold
    ranks = gold_ranks(s2.question)
    assert s2.unmatched_titles == [MISSING_TITLE]
    assert s2.retrieval.scores["recall@10"] == pytest.approx(len(ranks) / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    expected_ndcg = sum(1 / math.log2(r + 1) for r in ranks) / ideal
    assert s2.retrieval.scores["ndcg@10"] == pytest.approx(expected_ndcg)

    assert by_qid["s3"].retrieval.scores == {}
    summary = summarize(run)
    assert summary["retrieval"]["all"]["questions"] == 2
    assert summary["unmatched_gold"] == [{"qid": "s2", "title": MISSING_TITLE}]


def test_cli_json_and_details(seeded_home, seed_questions, tmp_path, capsys):
    details_path = tmp_path / "details.jsonl"
    argv = ["eval", str(seed_questions), "--mode", "retrieval", "--k", "3", "--json"]
    status = main([*argv, "--home", str(seeded_home), "--details", str(details_path)])
    out, err = capsys.readouterr()
    assert status == 0, err
    summary = json.loads(out)  # exactly one JSON object on stdout
    assert set(summary) == {
        "questions_file", "count", "mode", "k", "answerer", "model", "seconds",
        "retrieval", "answers", "abstention", "unmatched_gold",
    }  # fmt: skip
    assert (summary["count"], summary["mode"], summary["k"]) == (3, "retrieval", 3)
    assert summary["answers"] is None
    overall = summary["retrieval"]["all"]
    assert set(overall) == {"questions", "recall@1", "recall@3", "recall@5", "recall@10", "mrr",
                            "ndcg@10"}  # fmt: skip
    assert all(0 <= overall[name] <= 1 for name in overall if name != "questions")
    assert set(summary["retrieval"]["by_type"]) == {"single", "multi"}
    assert summary["unmatched_gold"] == [{"qid": "s2", "title": MISSING_TITLE}]
    assert "eval: 3/3" in err  # progress goes to stderr, never into the JSON

    rows = [json.loads(line) for line in details_path.read_text().splitlines()]
    assert [row["qid"] for row in rows] == ["s1", "s2", "s3"]
    assert len(rows[0]["retrieved"]) == 10
    assert rows[1]["unmatched_gold"] == [MISSING_TITLE]


def test_cli_split_reports_abstention_of_both_modes(seeded_home, tmp_path, capsys):
    path = write_lines(
        tmp_path,
        question_line(qid="d1", type="entity", question="What is LUKE?", split="dev",
                      gold_titles=["LUKE: Deep Contextualized Entity Representations with "
                                   "Entity-aware Self-attention"], facts=["entity"]),
        question_line(qid="d2", type="unanswerable", question="What is FlashAttention?",
                      gold_titles=[], facts=[], unanswerable_kind="entity", split="dev"),
        question_line(qid="t1", split="test", question="What is ALBERT?",
                      gold_titles=["ALBERT: A Lite BERT for Self-supervised Learning of "
                                   "Language Representations"], facts=[]),
    )  # fmt: skip
    argv = ["eval", str(path), "--split", "dev", "--mode", "retrieval", "--json"]
    assert main([*argv, "--home", str(seeded_home)]) == 0
    gate = json.loads(capsys.readouterr().out)["abstention"]
    assert gate["by_type"]["entity"]["declined_offline"] == 0.0
    assert gate["by_type"]["unanswerable:entity"]["declined_offline"] == 1.0
    assert gate["by_type"]["unanswerable:entity"]["declined_with_model"] == 1.0
    assert gate["auc"] == 1.0 and gate["answerable"]["evidence_in_prompt"] == 1.0
    assert main(["eval", str(path), "--split", "test", "--mode", "retrieval",
                 "--home", str(seeded_home)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Abstention (decided without a model)" in out and "1 questions in" in out


def test_cli_table(seeded_home, seed_questions, capsys):
    status = main(["eval", str(seed_questions), "--mode", "retrieval", "--home", str(seeded_home)])
    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("Retrieval: 2 answerable questions")
    assert "warning: 1 gold title(s) match no indexed paper" in out
    assert "3 questions in" in out


def test_answer_mode_with_a_model_counts_tokens_citations_and_declines(
    assistant_factory, openai_server, tmp_path
):
    assistant = assistant_factory(base_url=openai_server.url)
    papers = assistant.papers()
    first, second = papers[10], papers[150]
    path = write_lines(
        tmp_path,
        question_line(qid="m1", question=first.abstract.split(". ")[0], gold_titles=[first.title],
                      facts=["Flux capacitor", "fusion"]),
        question_line(qid="m2", question=second.abstract.split(". ")[0],
                      gold_titles=[second.title], facts=["Flux capacitor"]),
        question_line(qid="m3", type="unanswerable", question="What is the capital of Peru?",
                      gold_titles=[], facts=[]),
    )  # fmt: skip
    usage = {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}
    openai_server.enqueue(Reply(text="It uses a flux CAPACITOR [1].", usage=usage))
    openai_server.enqueue(Reply(text="Nothing relevant here [1], or here [2].", usage=usage))
    openai_server.enqueue(Reply(text=CANNOT_ANSWER, usage=usage))

    run = run_evaluation(assistant, load_questions(path), mode="answer")
    summary = summarize(run)
    answers = summary["answers"]
    requests = len(openai_server.chat_requests)
    assert requests >= 2  # m3 may be declined before the model is asked
    assert answers["tokens"] == {name: value * requests for name, value in usage.items()}
    assert summary["answerer"] == "llm" and summary["model"] == "test-model"
    # m1: 1 of 2 facts ("fusion" missing); m2: 0 of 1.
    assert answers["all"]["fact_recall"] == pytest.approx((1 / 2 + 0) / 2)
    assert answers["abstention"] == {"declined_unanswerable": 1.0, "declined_answerable": 0.0}
    rows = {row["qid"]: row for row in details(run)}
    assert len(rows["m1"]["answer"]["cited_paper_ids"]) == 1
    assert len(rows["m2"]["answer"]["cited_paper_ids"]) == 2
    # Precision from the rows, by hand: cited gold papers over cited papers, per question.
    by_hand = [
        len(set(r["answer"]["cited_paper_ids"]) & set(r["gold_paper_ids"]))
        / len(r["answer"]["cited_paper_ids"])
        for r in (rows["m1"], rows["m2"])
    ]
    assert answers["all"]["citation_precision"] == pytest.approx(sum(by_hand) / 2)
