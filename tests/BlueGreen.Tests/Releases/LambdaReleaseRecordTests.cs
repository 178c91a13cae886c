using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using BlueGreen.Core.Releases;
using BlueGreen.Core.Releases.Lambda;

namespace BlueGreen.Tests.Releases;

/// <summary>The journal of a module-driven Lambda release: the record on the alias and the tags beside it are what any
/// later session (and later version) reads, so their text is pinned by golden files checked in beside this test.</summary>
public sealed class LambdaReleaseRecordTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1764646000);

    private static string Golden(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Golden", name));

    private static LambdaReleaseRecord Canary() =>
        new("k3f9x2qa", LambdaReleaseState.Shifting, "1", "2", TrafficShiftPolicy.Parse("Canary10Percent5Minutes"), 0, 10, T0, T0, T0);

    public static TheoryData<string, LambdaReleaseRecord> Records() => new()
    {
        { "lambda-record-canary-shifting.txt", Canary() },
        { "lambda-record-rolled-back.txt", Canary().With(LambdaReleaseState.RolledBack, 0, 0, T0.AddSeconds(95), why: "alarm") },
        { "lambda-record-linear-held.txt", new LambdaReleaseRecord("p7m2wq9z", LambdaReleaseState.Shifting, "41", "42", TrafficShiftPolicy.Parse("Linear20PercentEvery3Minutes"), 0, 20, T0, T0, T0)
            .With(LambdaReleaseState.Held, 1, 42.5, T0.AddSeconds(400)) },
        { "lambda-record-longest.txt", new LambdaReleaseRecord("a2b3c4d5", LambdaReleaseState.Succeeded, "9999999999", "9999999998", TrafficShiftPolicy.Parse("Linear1PercentEvery2880Minutes"), 99, 100,
            DateTimeOffset.FromUnixTimeSeconds(253402300799), DateTimeOffset.FromUnixTimeSeconds(253402300799), DateTimeOffset.FromUnixTimeSeconds(253402300799)).With(LambdaReleaseState.Succeeded, 99, 100, DateTimeOffset.FromUnixTimeSeconds(253402300799), why: "undo") },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Record_IsWrittenAsTheGoldenFileSays(string golden, LambdaReleaseRecord record)
    {
        Assert.Equal(Golden(golden), record.ToString());
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void GoldenFile_IsReadBackToTheSameRecord(string golden, LambdaReleaseRecord record)
    {
        Assert.True(LambdaReleaseRecord.TryParse(Golden(golden), out var read, out var problem), problem);
        Assert.Equal(record, read);
        Assert.Equal(record.State, read!.State);
        Assert.Equal(record.Weight, read.Weight);
        Assert.Equal(record.Origin, read.Origin);
        Assert.Equal(record.Policy, read.Policy);
        Assert.Equal(record.Why, read.Why);
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void Record_FitsAnAliasDescription_InTheCharactersLambdaTakes(string golden, LambdaReleaseRecord record)
    {
        _ = golden;
        var text = record.ToString();
        Assert.True(text.Length <= LambdaReleaseRecord.MaxLength, $"{text.Length} characters");
        Assert.Matches(new Regex("^[ -~]*$"), text);
    }

    [Fact]
    public void Reader_IgnoresKeysItDoesNotKnow_SoLaterWritersOfVersion1CanAddSome()
    {
        Assert.True(LambdaReleaseRecord.TryParse(Golden("lambda-record-canary-shifting.txt") + " hooks=2 next=x", out var read, out var problem), problem);
        Assert.Equal(Canary(), read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Production alias")]
    [InlineData("bluegreen is our team")]
    public void TextThatIsNoRecord_IsNotOne_AndNoProblem(string? text)
    {
        Assert.False(LambdaReleaseRecord.TryParse(text, out var read, out var problem));
        Assert.Null(read);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("bluegreen/2 id=x state=Shifting", "bluegreen/2")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 start=1764646000 origin=1764646000", "'at'")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Baking blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 start=1 origin=1 at=1", "Baking")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=1 blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 start=1 origin=1 at=1", "state")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Half step=0 weight=10 start=1 origin=1 at=1", "Half")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=2 weight=10 start=1 origin=1 at=1", "range")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=101 start=1 origin=1 at=1", "range")]
    [InlineData("bluegreen/1 id=k3f9x2qa state=Shifting blue=1 green=2 policy=Canary10Percent5Minutes step=0 weight=10 start=-5 origin=1 at=1", "range")]
    [InlineData("bluegreen/1 id=k3f9x2qa orphan", "orphan")]
    public void ARecordThatCannotBeRead_SaysWhy(string text, string named)
    {
        Assert.False(LambdaReleaseRecord.TryParse(text, out var read, out var problem));
        Assert.Null(read);
        Assert.NotNull(problem);
        Assert.Contains(named, problem!, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_AreEightCharactersAnIdTakes_AndDiffer()
    {
        var tokens = Enumerable.Range(0, 200).Select(_ => LambdaReleaseRecord.NewToken()).ToList();
        Assert.All(tokens, t => Assert.Matches("^[a-z2-9]{8}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        var id = ReleaseIds.ForLambda("payments", "live", tokens[0]);
        Assert.True(ReleaseIds.TryParseLambda(id, out var function, out var alias, out var token));
        Assert.Equal(("payments", "live", tokens[0]), (function, alias, token));
    }

    [Fact]
    public void AlarmsTag_IsWrittenAsTheGoldenFileSays_AndReadBack()
    {
        var alarms = new[] { "orders-errors+p99", "latency (p99) \u2713", "ok", "a@b" };
        var tags = LambdaReleaseTags.Field("live", LambdaReleaseTags.Alarms, "k3f9x2qa", alarms);
        Assert.Equal(new[] { "bluegreen:live:alarms" }, tags.Keys);
        Assert.Equal(Golden("lambda-tags-alarms.txt"), tags["bluegreen:live:alarms"]);
        Assert.Equal(alarms, LambdaReleaseTags.Read(tags, "live", LambdaReleaseTags.Alarms, "k3f9x2qa"));
        Assert.Null(LambdaReleaseTags.Read(tags, "live", LambdaReleaseTags.Alarms, "p7m2wq9z"));
    }

    [Fact]
    public void TagValues_HoldOnlyWhatLambdaAccepts_AndLongFieldsGoOnInMoreTags()
    {
        var allowed = new Regex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$");
        var alarms = Enumerable.Range(0, 5).Select(i => new string('x', 200) + "/#?" + i).ToList();
        var tags = LambdaReleaseTags.Field("live", LambdaReleaseTags.Alarms, "k3f9x2qa", alarms);
        Assert.True(tags.Count > 4);
        Assert.All(tags, t =>
        {
            Assert.True(t.Value.Length <= LambdaReleaseTags.MaxValueLength);
            Assert.True(t.Key.Length <= LambdaReleaseTags.MaxKeyLength);
            Assert.Matches(allowed, t.Value);
            Assert.Matches(allowed, t.Key);
        });
        Assert.Equal(alarms, LambdaReleaseTags.Read(tags, "live", LambdaReleaseTags.Alarms, "k3f9x2qa"));
        Assert.Equal(tags.Keys.OrderBy(k => k, StringComparer.Ordinal), LambdaReleaseTags.KeysOf(tags, "bluegreen:live:alarms").OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void KeysOfLongAliasNames_StayWithinWhatATagKeyHolds()
    {
        var alias = new string('a', 128);
        var key = LambdaReleaseTags.Key(alias, LambdaReleaseTags.Description);
        Assert.True(key.Length <= LambdaReleaseTags.MaxKeyLength);
        Assert.NotEqual(key, LambdaReleaseTags.Key(new string('a', 127) + "b", LambdaReleaseTags.Description));
    }

    [Fact]
    public void History_IsWrittenAsTheGoldenFileSays_NewestFirst_AndKeepsWhatFits()
    {
        var first = Canary().With(LambdaReleaseState.RolledBack, 0, 0, T0.AddSeconds(95), why: "alarm");
        var second = new LambdaReleaseRecord("k3f9x2qa", LambdaReleaseState.Succeeded, "2", "3", TrafficShiftPolicy.AllAtOnce, 0, 100,
            DateTimeOffset.FromUnixTimeSeconds(1764650000), DateTimeOffset.FromUnixTimeSeconds(1764650000), DateTimeOffset.FromUnixTimeSeconds(1764650360));
        var renamed = new LambdaReleaseRecord("p7m2wq9z", first.State, first.Blue, first.Green, first.Policy, first.Step, first.Weight, first.Start, first.Origin, first.At);
        var history = LambdaReleaseTags.PushHistory(LambdaReleaseTags.PushHistory(null, renamed), second);
        Assert.Equal(Golden("lambda-tags-history.txt"), history);

        var read = LambdaReleaseTags.ReadHistory(history);
        Assert.Equal(new[] { "k3f9x2qa", "p7m2wq9z" }, read.Select(h => h.Token));
        Assert.Equal(LambdaReleaseState.RolledBack, read[1].State);
        Assert.Equal(T0.AddSeconds(95), read[1].End);

        // Pushing the same release again replaces its entry; many releases keep the newest that fit one tag.
        Assert.Equal(history, LambdaReleaseTags.PushHistory(history, second));
        var many = history;
        for (var i = 0; i < 20; i++)
        {
            many = LambdaReleaseTags.PushHistory(many, new LambdaReleaseRecord($"tok{i:00000}", LambdaReleaseState.Succeeded, $"{i}", $"{i + 1}", TrafficShiftPolicy.AllAtOnce, 0, 100, T0, T0, T0));
        }

        Assert.True(many.Length <= LambdaReleaseTags.MaxValueLength);
        Assert.Equal("tok00019", LambdaReleaseTags.ReadHistory(many)[0].Token);
        Assert.True(LambdaReleaseTags.ReadHistory(many).Count >= 3);
    }
}

/// <summary>When the steps of a module-driven release are due: the schedule counts from the record's origin by AWS's clock.</summary>
public sealed class LambdaShiftScheduleTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1764646000);

    private static LambdaReleaseRecord Started(string policy)
    {
        var parsed = TrafficShiftPolicy.Parse(policy);
        return new LambdaReleaseRecord("k3f9x2qa", LambdaReleaseState.Shifting, "1", "2", parsed, 0, parsed.Steps()[0].GreenPercent, T0, T0, T0);
    }

    [Fact]
    public void Default_IsSamsCommonCanary()
    {
        Assert.Equal("Canary10Percent5Minutes", LambdaShiftSchedule.DefaultPolicy.ShortName);
    }

    [Theory]
    [InlineData("Canary10Percent5Minutes", 0, null)]
    [InlineData("Canary10Percent5Minutes", 299, null)]
    [InlineData("Canary10Percent5Minutes", 300, 1)]
    [InlineData("Canary10Percent5Minutes", 86400, 1)]
    [InlineData("Linear10PercentEvery1Minutes", 59, null)]
    [InlineData("Linear10PercentEvery1Minutes", 60, 1)]
    [InlineData("Linear10PercentEvery1Minutes", 150, 2)]
    [InlineData("Linear10PercentEvery1Minutes", 3600, 9)]
    [InlineData("Linear30PercentEvery2Minutes", 360, 3)]
    public void DueStep_IsTheFurthestStepWhoseTimeHasCome(string policy, int secondsAfterStart, int? expected)
    {
        Assert.Equal(expected, LambdaShiftSchedule.DueStep(Started(policy), T0.AddSeconds(secondsAfterStart)));
    }

    [Fact]
    public void NothingIsDue_WhenHeldOrEnded()
    {
        var record = Started("Linear10PercentEvery1Minutes");
        Assert.Null(LambdaShiftSchedule.DueStep(record.With(LambdaReleaseState.Held, 0, 35, T0), T0.AddHours(5)));
        Assert.Null(LambdaShiftSchedule.DueStep(record.With(LambdaReleaseState.RolledBack, 0, 0, T0), T0.AddHours(5)));
        Assert.Null(LambdaShiftSchedule.NextStepAt(record.With(LambdaReleaseState.Succeeded, 9, 100, T0)));
    }

    [Fact]
    public void Continue_MovesTheOrigin_SoTheNextStepIsDueNow_AndTheRestKeepTheirIntervals()
    {
        var record = Started("Linear20PercentEvery3Minutes");
        var now = T0.AddSeconds(30);
        var step = LambdaShiftSchedule.NextAbove(record.Policy, record.Weight);
        Assert.Equal(1, step);
        var moved = record.With(LambdaReleaseState.Shifting, step, LambdaShiftSchedule.WeightAt(record.Policy, step), now, LambdaShiftSchedule.OriginFor(record.Policy, step, now));
        Assert.Equal(40, moved.Weight);
        Assert.Equal(now.AddMinutes(3), LambdaShiftSchedule.NextStepAt(moved));
        Assert.Null(LambdaShiftSchedule.DueStep(moved, now.AddSeconds(179)));
        Assert.Equal(2, LambdaShiftSchedule.DueStep(moved, now.AddSeconds(180)));
    }

    [Theory]
    [InlineData("Linear20PercentEvery3Minutes", 0, 0)]
    [InlineData("Linear20PercentEvery3Minutes", 25, 1)]
    [InlineData("Linear20PercentEvery3Minutes", 40, 2)]
    [InlineData("Canary10Percent5Minutes", 50, 1)]
    [InlineData("Canary10Percent5Minutes", 5, 0)]
    [InlineData("Canary10Percent5Minutes", 100, 1)]
    public void NextAbove_IsWhereAHoldGoesOn(string policy, double weight, int expected)
    {
        Assert.Equal(expected, LambdaShiftSchedule.NextAbove(TrafficShiftPolicy.Parse(policy), weight));
    }

    [Fact]
    public void AllAtOnce_IsOneStep_ThatEndsTheRelease()
    {
        Assert.True(LambdaShiftSchedule.IsLast(TrafficShiftPolicy.AllAtOnce, 0));
        var timeline = LambdaShiftSchedule.Timeline(TrafficShiftPolicy.AllAtOnce);
        Assert.Single(timeline);
        Assert.Equal(100, timeline[0].GreenPercent);
    }

    [Fact]
    public void Timeline_ShowsEachStepAndTheEnd()
    {
        var timeline = LambdaShiftSchedule.Timeline(TrafficShiftPolicy.Parse("Canary10Percent5Minutes"));
        Assert.Equal(new[] { 0.0, 5.0 }, timeline.Select(t => t.At.TotalMinutes));
        Assert.Equal(new[] { 10, 100 }, timeline.Select(t => t.GreenPercent));
        Assert.Contains("Succeeded", timeline[1].What, StringComparison.Ordinal);
    }
}
