using System;
using BlueGreen.Core.Configuration;
using Xunit;

namespace BlueGreen.Tests.Configuration;

/// <summary>Durations as users write them: a plain number in the parameter's unit, a number with a unit, or a TimeSpan.</summary>
public sealed class DurationsTests
{
    [Theory]
    [InlineData(10, DurationUnit.Minutes, 600_000)]
    [InlineData(30, DurationUnit.Seconds, 30_000)]
    [InlineData(500, DurationUnit.Milliseconds, 500)]
    [InlineData(1.5, DurationUnit.Minutes, 90_000)]
    [InlineData("10", DurationUnit.Minutes, 600_000)]
    [InlineData("0.5", DurationUnit.Seconds, 500)]
    [InlineData("90s", DurationUnit.Minutes, 90_000)]
    [InlineData("10m", DurationUnit.Seconds, 600_000)]
    [InlineData("1.5h", DurationUnit.Milliseconds, 5_400_000)]
    [InlineData("250ms", DurationUnit.Minutes, 250)]
    [InlineData("1d", DurationUnit.Seconds, 86_400_000)]
    [InlineData("00:10:00", DurationUnit.Seconds, 600_000)]
    [InlineData("00:00:00.5", DurationUnit.Minutes, 500)]
    public void Read_NumbersInTheUnit_NumbersWithAUnit_AndTimeSpanStrings(object value, DurationUnit unit, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Read(value, unit));
    }

    [Fact]
    public void Read_KeepsTimeSpans_AndNull()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Durations.Read(TimeSpan.FromSeconds(7), DurationUnit.Minutes));
        Assert.Null(Durations.Read(null, DurationUnit.Minutes));
        Assert.Equal(TimeSpan.FromMinutes(3), Durations.Read(3L, DurationUnit.Minutes));
        Assert.Equal(TimeSpan.FromSeconds(2), Durations.Read(2m, DurationUnit.Seconds));
    }

    [Theory]
    [InlineData("ten minutes", DurationUnit.Minutes, "minutes (10)")]
    [InlineData("5 weeks", DurationUnit.Seconds, "seconds (30)")]
    [InlineData("", DurationUnit.Milliseconds, "milliseconds (500)")]
    public void Read_RefusesTheRest_SayingWhatToPass(string value, DurationUnit unit, string hint)
    {
        var error = Assert.Throws<FormatException>(() => Durations.Read(value, unit));
        Assert.Contains(hint, error.Message);
        Assert.Contains("'90s'", error.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e20)]
    public void Read_RefusesNumbersNoTimeSpanHolds(double value)
    {
        Assert.Throws<FormatException>(() => Durations.Read(value, DurationUnit.Minutes));
    }

    [Fact]
    public void Read_RefusesOtherTypes()
    {
        Assert.Throws<FormatException>(() => Durations.Read(DateTime.UtcNow, DurationUnit.Seconds));
    }
}
