using Akka.Actor;
using AkkaKd.Cluster.Workers;

namespace AkkaKd.Cluster.Tests;

/// <summary>
/// Where a worker node's coordinators are, when a sweep's node comes back at the same address as a new incarnation and
/// what the node hears of the two crosses.
/// </summary>
public sealed class CoordinatorBookTests
{
    private static readonly Address Node = new("akka.tcp", "akkakd", "127.0.0.1", 4100);
    private static readonly Address Other = new("akka.tcp", "akkakd", "127.0.0.1", 4200);
    private const int OldUid = 11, NewUid = 22;

    private static CoordinatorBook<string> WithOld()
    {
        var book = new CoordinatorBook<string>();
        Assert.Equal(new CoordinatorBook<string>.Change(LookUp: true), book.MemberUp(Node, OldUid));
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "old"), book.Answered(Node, "old"));
        return book;
    }

    [Fact]
    public void A_coordinator_node_comes_up_is_looked_up_and_found_then_removed()
    {
        var book = WithOld();
        Assert.Equal(["old"], book.Coordinators);
        Assert.Empty(book.Unfound);
        Assert.True(book.Holds("old"));
        Assert.Equal(default, book.MemberUp(Node, OldUid)); // again (a snapshot after the event): nothing new
        Assert.Equal(default, book.Announced(Node, OldUid, "old")); // its own announcement, after the look-up

        Assert.Equal("old", book.MemberRemoved(Node, OldUid));
        Assert.Empty(book.Coordinators);
        Assert.False(book.Holds("old"));
    }

    [Fact]
    public void A_coordinator_found_before_its_node_is_up_here_is_not_looked_up_again()
    {
        var book = new CoordinatorBook<string>();
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "c"), book.Announced(Node, OldUid, "c"));
        Assert.Equal(default, book.MemberUp(Node, OldUid));
        Assert.Equal(["c"], book.Coordinators);
    }

    [Fact]
    public void The_new_incarnation_announces_itself_before_the_old_ones_removal_arrives_and_stays()
    {
        var book = WithOld();
        Assert.Equal(new CoordinatorBook<string>.Change(Gone: "old", Found: "new"), book.Announced(Node, NewUid, "new"));
        Assert.Null(book.MemberRemoved(Node, OldUid)); // the old member's removal, late: the new coordinator stays
        Assert.Equal(default, book.MemberUp(Node, NewUid)); // its member's Up: already known
        Assert.Equal(["new"], book.Coordinators);

        Assert.Equal("new", book.MemberRemoved(Node, NewUid));
        Assert.Empty(book.Coordinators);
    }

    [Fact]
    public void The_new_member_comes_up_before_the_old_ones_removal_arrives_and_is_looked_up()
    {
        var book = WithOld();
        Assert.Equal(new CoordinatorBook<string>.Change(Gone: "old", LookUp: true), book.MemberUp(Node, NewUid));
        Assert.Equal([Node], book.Unfound);
        Assert.Null(book.MemberRemoved(Node, OldUid));
        Assert.Equal([Node], book.Unfound); // still to be looked up: the removal was the old one's
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "new"), book.Answered(Node, "new"));
        Assert.Equal(["new"], book.Coordinators);
    }

    [Fact]
    public void A_late_announcement_from_a_removed_incarnation_is_ignored()
    {
        var book = WithOld();
        Assert.Equal("old", book.MemberRemoved(Node, OldUid));
        Assert.Equal(default, book.Announced(Node, OldUid, "old"));
        Assert.Equal(default, book.MemberUp(Node, OldUid));
        Assert.Empty(book.Coordinators);
        Assert.Empty(book.Unfound);
        Assert.Equal(default, book.Answered(Node, "old")); // a look-up answer for an address no longer known
    }

    [Fact]
    public void A_coordinator_that_stops_while_its_node_stays_is_gone_and_the_next_one_there_is_found()
    {
        var book = WithOld();
        Assert.False(book.Stopped(Node, "someone else"));
        Assert.True(book.Stopped(Node, "old"));
        Assert.Equal([Node], book.Unfound);
        Assert.False(book.Stopped(Node, "old")); // told twice
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "next"), book.Answered(Node, "next"));

        // The next sweep's coordinator announced itself before the last one's stop was seen: that stop changes nothing.
        Assert.Equal(new CoordinatorBook<string>.Change(Gone: "next", Found: "third"), book.Announced(Node, OldUid, "third"));
        Assert.False(book.Stopped(Node, "next"));
        Assert.Equal(["third"], book.Coordinators);
    }

    [Fact]
    public void An_announcement_without_its_incarnation_is_taken_for_the_one_known_at_its_address()
    {
        var book = WithOld();
        Assert.Equal(new CoordinatorBook<string>.Change(Gone: "old", Found: "next"), book.Announced(Node, CoordinatorBook<string>.Unknown, "next"));
        Assert.Equal("next", book.MemberRemoved(Node, OldUid));

        // Before its member is up here: its Up names it, and its removal takes it away.
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "c"), book.Announced(Other, CoordinatorBook<string>.Unknown, "c"));
        Assert.Equal(default, book.MemberUp(Other, NewUid));
        Assert.Null(book.MemberRemoved(Other, 33));
        Assert.Equal("c", book.MemberRemoved(Other, NewUid));
    }

    [Fact]
    public void Nodes_at_other_addresses_are_kept_apart()
    {
        var book = WithOld();
        Assert.Equal(new CoordinatorBook<string>.Change(Found: "other"), book.Announced(Other, NewUid, "other"));
        Assert.Equal(["old", "other"], book.Coordinators.Order());
        Assert.Null(book.MemberRemoved(Other, 33)); // an incarnation there never known
        Assert.Equal("old", book.MemberRemoved(Node, OldUid));
        Assert.Equal(["other"], book.Coordinators);
    }
}
