using OptOut.Benchmarks.Intent;
using OptOut.Benchmarks.Intent.Learned;
using OptOut.Core.Intent;

namespace OptOut.Core.Tests.Intent;

/// <summary>
/// The learned-tier experiment (bench intent-train, intent-cv): the trainer gives the same model file from the same
/// rows, the model explains a reading by its features, and the combination with the phrase tier keeps the score
/// scale and the compliance-first rules. The service does not read with it (DEVELOPERS.md "The intent detector").
/// </summary>
[TestFixture]
public class When_training_the_learned_tier
{
    private static readonly Lazy<IReadOnlyList<CorpusRow>> Development = new(() => IntentCorpus.Read("dev,dev-b"));
    private static readonly Lazy<LearnedModel> Model = new(() => LearnedTrainer.Train(Development.Value, TrainingOptions.Default));

    private static byte[] Bytes(LearnedModel model)
    {
        using var stream = new MemoryStream();
        model.Write(stream);
        return stream.ToArray();
    }

    [Test]
    public void Should_write_the_same_model_file_from_the_same_rows()
    {
        var first = Bytes(LearnedTrainer.Train(Development.Value, TrainingOptions.Default));
        var second = Bytes(LearnedTrainer.Train(Development.Value, TrainingOptions.Default));
        var otherSeed = Bytes(LearnedTrainer.Train(Development.Value, TrainingOptions.Default with { Seed = 7 }));

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(otherSeed, Is.Not.EqualTo(first), "the seed orders the rows, so the spec above could fail");
        });
    }

    [Test]
    public void Should_read_back_the_model_it_wrote()
    {
        var read = LearnedModel.Read(new MemoryStream(Bytes(Model.Value)));

        foreach (var text in new[] { "TAKE ME OFF YOUR LIST", "OK THANKS", "NO ME INTERESA" })
            Assert.That(read.Predict(text), Is.EqualTo(Model.Value.Predict(text)), text);
    }

    [Test]
    public void Should_explain_a_reading_by_the_features_that_weighed_most()
    {
        const string text = "PLEASE TAKE ME OFF YOUR LIST";

        var toward = Model.Value.Explain(text, towardRevocation: true);

        Assert.Multiple(() =>
        {
            Assert.That(toward, Has.Count.EqualTo(3));
            Assert.That(toward, Has.All.Match(@"^'[^']+' \+\d+\.\d\d$"));
            foreach (var feature in toward)
                Assert.That($" {text} ", Does.Contain(feature[1..feature.LastIndexOf('\'')].Replace('_', ' ')), "a feature is a slice of the text");
        });
    }

    [Test]
    public void Should_read_a_request_to_be_removed_higher_than_an_acknowledgement()
    {
        Assert.That(Model.Value.Predict("PLEASE REMOVE ME FROM THIS LIST").Level,
            Is.GreaterThan(Model.Value.Predict("OK SEE YOU THEN").Level + 0.3));
    }
}

[TestFixture]
public class When_combining_the_learned_tier_with_the_phrases
{
    private static readonly LearnedPolicy Both = new(Raise: true, Lower: true, RevocationAt: 0.9, ReviewAt: 0.5, LowerAt: 0.05);

    private static RevocationReading Phrase(double score) =>
        new(score, OptOut.Contracts.DetectionMethod.Phrase, "en", "STOP TEXTING", "a phrase");

    [Test]
    public void Should_map_the_thresholds_onto_the_detector_scale()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Both.Score(0.9), Is.EqualTo(AccountSettings.RevocationScore).Within(1e-9));
            Assert.That(Both.Score(0.5), Is.EqualTo(AccountSettings.DefaultPossibleRevocationThreshold).Within(1e-9));
            Assert.That(Both.Score(1.0), Is.EqualTo(1.0).Within(1e-9));
            Assert.That(Both.Score(0.25), Is.EqualTo(0.25).Within(1e-9), "below review, an account with a lower threshold still sees it");
        });
    }

    [Test]
    public void Should_let_a_phrase_revocation_stand_unless_the_model_is_sure_it_is_none()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LearnedTier.Decide(Phrase(0.9), new LearnedPrediction(0.1, 0.2), Both), Is.EqualTo((0.9, LearnedChange.None)));
            Assert.That(LearnedTier.Decide(Phrase(0.9), new LearnedPrediction(0.02, 0.02), Both),
                Is.EqualTo((AccountSettings.MaxPossibleRevocationThreshold, LearnedChange.Lowered)), "lowered to a review every account makes");
            Assert.That(LearnedTier.Decide(Phrase(0.9), new LearnedPrediction(0.02, 0.02), Both with { Lower = false }), Is.EqualTo((0.9, LearnedChange.None)));
        });
    }

    [Test]
    public void Should_raise_only_above_what_the_phrases_read()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LearnedTier.Decide(null, new LearnedPrediction(0.95, 0.05), Both).Change, Is.EqualTo(LearnedChange.Raised));
            Assert.That(LearnedTier.Decide(null, new LearnedPrediction(0.95, 0.05), Both).Score, Is.GreaterThanOrEqualTo(AccountSettings.RevocationScore));
            Assert.That(LearnedTier.Decide(Phrase(0.6), new LearnedPrediction(0.3, 0.2), Both), Is.EqualTo((0.6, LearnedChange.None)));
            Assert.That(LearnedTier.Decide(null, new LearnedPrediction(0.01, 0.02), Both), Is.EqualTo((0.0, LearnedChange.None)), "nothing read, nothing reported");
            Assert.That(LearnedTier.Decide(null, new LearnedPrediction(0.95, 0.05), LearnedPolicy.Off), Is.EqualTo((0.0, LearnedChange.None)));
        });
    }
}
