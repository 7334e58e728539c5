"""A name asked in the plural ("CNNs", "GANs") is found where a paper writes the singular, as
papers introduce their one model: neither the decision ("no paper found mentions CNNs") nor
the offline answer's choice of the named papers misses it."""

from __future__ import annotations

from assistant.answering.extractive import plan_quotes
from assistant.answering.question_cues import name_forms
from assistant.evaluation.calibration import question_signals
from assistant.settings import Settings


def test_the_plural_of_a_capitalised_name_also_reads_as_its_singular():
    assert name_forms("GANs") == ("GANs", "GAN")
    assert name_forms("GPT-4s") == ("GPT-4s", "GPT-4")
    # not plurals of a name: an ordinary capitalised word, a name ending in "s" itself
    assert name_forms("Bayes") == ("Bayes",)
    assert name_forms("Adams") == ("Adams",)


def test_a_plural_name_is_not_missing_where_papers_write_the_singular(seeded_assistant):
    # The bundled papers write "CNN" (never "CNNs") and "MLLM" (never "MLLMs").
    for question in ("Which papers replace CNNs with transformers?", "How are MLLMs evaluated?"):
        signals = question_signals(seeded_assistant, question)
        assert signals.missing_names == () and signals.name_missing == 0.0, question


def test_a_name_that_is_nowhere_is_still_missing_in_the_plural(seeded_assistant):
    signals = question_signals(seeded_assistant, "How do Zorblaxes compare with QXWNs?")
    assert "QXWNs" in signals.missing_names


def test_a_comparison_of_plural_names_quotes_each_named_paper():
    sources = [
        (1, "We train a GAN whose generator and discriminator play a minimax game.", 0.5),
        (2, "A VAE reparameterises the variational lower bound.", 0.5),
        (3, "An unrelated paper about protein folding.", 0.1),
    ]
    titles = {1: "Generative Adversarial Nets", 2: "Auto-Encoding Variational Bayes", 3: "Folds"}
    plan = plan_quotes("Compare GANs and VAEs.", sources, titles, Settings())
    assert plan.required == (1, 2) and plan.allowed == frozenset({1, 2})


def test_a_plural_name_written_as_asked_keeps_the_paper_that_writes_it():
    sources = [
        (1, "A CNN backbone for images.", 0.5),
        (2, "We compare CNNs with vision transformers on many benchmarks.", 0.4),
    ]
    titles = {1: "A CNN paper", 2: "Transformers versus convolutions"}
    plan = plan_quotes("What do CNNs learn?", sources, titles, Settings())
    assert plan.required == (2,)
