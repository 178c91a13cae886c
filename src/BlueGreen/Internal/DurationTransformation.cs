using System;
using System.Globalization;
using System.Management.Automation;
using BlueGreen.Core.Configuration;

namespace BlueGreen.Internal;

/// <summary>Lets a TimeSpan parameter take a plain number in the parameter's own unit, a number with a unit, a
/// TimeSpan or a TimeSpan string (see <see cref="Durations"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public DurationTransformationAttribute(DurationUnit unit) => Unit = unit;

    public DurationUnit Unit { get; }

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        try
        {
            return Durations.Read(inputData is PSObject wrapped ? wrapped.BaseObject : inputData, Unit)!;
        }
        catch (FormatException ex)
        {
            throw new ArgumentTransformationMetadataException(ex.Message, ex);
        }
    }
}

/// <summary>Checks that a duration lies within bounds given in the parameter's own unit, and says so in that unit.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateDurationAttribute : ValidateArgumentsAttribute
{
    public ValidateDurationAttribute(DurationUnit unit, double minimum, double maximum) => (Unit, Minimum, Maximum) = (unit, minimum, maximum);

    public DurationUnit Unit { get; }

    public double Minimum { get; }

    public double Maximum { get; }

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if ((arguments is PSObject wrapped ? wrapped.BaseObject : arguments) is not TimeSpan span)
        {
            return;
        }

        var min = TimeSpan.FromMilliseconds(Minimum * Durations.Factor(Unit));
        var max = TimeSpan.FromMilliseconds(Math.Min(Maximum * Durations.Factor(Unit), TimeSpan.MaxValue.TotalMilliseconds - 1));
        if (span < min || span > max)
        {
            throw new ValidationMetadataException(string.Format(CultureInfo.InvariantCulture, "The duration {0} is out of range: give {1} to {2} {3} ({4} to {5}).",
                span, Minimum, Maximum, Unit.ToString().ToLowerInvariant(), min, max));
        }
    }
}
