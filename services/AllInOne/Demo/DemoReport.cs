using System.Globalization;

namespace Platform.AllInOne.Demo;

internal static class DemoReport
{
    public static void Print(TextWriter output, Uri api, List<SubscriberView> subscribers, List<ScoredView> scored, Dictionary<Guid, List<DeliveryView>> deliveries)
    {
        var names = subscribers.ToDictionary(s => s.Id, s => s.Email ?? s.Id.ToString());
        output.WriteLine();
        output.WriteLine($"Scored listings ({scored.Count}), best subscriber match first — model {scored.FirstOrDefault()?.ModelVersion}:");
        foreach (var listing in scored)
        {
            var best = listing.Matches.OrderByDescending(m => m.Score).FirstOrDefault();
            var who = best is null ? "(no subscribers yet)" : $"{Score(best.Score)}  {names.GetValueOrDefault(best.SubscriberId, best.SubscriberId.ToString())}";
            output.WriteLine($"  {Clip(listing.Title, 70),-70}  {who}");
        }
        output.WriteLine();
        output.WriteLine("Notifications (threshold per subscriber; emails are written to data/mail as .eml files):");
        foreach (var subscriber in subscribers)
        {
            var sent = deliveries[subscriber.Id];
            output.WriteLine($"  {subscriber.Email} (threshold {Score(subscriber.Threshold)}) — \"{Clip(subscriber.Interests, 60)}\": {sent.Count} notification(s)");
            foreach (var d in sent.OrderByDescending(d => d.Score))
                output.WriteLine($"    {Score(d.Score)}  {d.Status,-9}  {Clip(d.Title, 70)}");
        }
        output.WriteLine();
        output.WriteLine($"Still serving on {api}: POST /listings, POST /subscribers, GET /scored-listings, /health/ready. Ctrl+C to stop.");
    }

    private static string Score(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
