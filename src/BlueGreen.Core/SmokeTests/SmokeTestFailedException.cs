using System;

namespace BlueGreen.Core.SmokeTests;

/// <summary>A smoke test ran and did not pass; <see cref="Result"/> says why.</summary>
public sealed class SmokeTestFailedException : Exception
{
    public SmokeTestFailedException(string message, SmokeTestResult result)
        : base(message)
    {
        Result = result;
    }

    public SmokeTestFailedException()
    {
    }

    public SmokeTestFailedException(string message)
        : base(message)
    {
    }

    public SmokeTestFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SmokeTestResult? Result { get; }
}
