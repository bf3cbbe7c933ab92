from django.core.management.base import BaseCommand, CommandError

from accounting_registry.figures_check import drift


class Command(BaseCommand):
    help = (
        "Check that the weekly figures' tallies agree with the register and the applications "
        "(exit status 1 on any drift)."
    )

    def handle(self, *args, **options):
        found = drift()
        if found.ok:
            self.stdout.write("Every figure agrees with the rows it counts.")
            return
        for bureau, figures in found.register.items():
            for figure, (total, hourly, count) in figures.items():
                self.stdout.write(
                    f"register, bureau {bureau}, {figure}: total {total}, hourly sum {hourly}, "
                    f"counted {count}"
                )
        for campaign, bureaus in found.applications.items():
            for bureau, states in bureaus.items():
                for state, (total, hourly, count) in states.items():
                    self.stdout.write(
                        f"campaign {campaign}, bureau {bureau}, {state}: total {total}, "
                        f"hourly sum {hourly}, counted {count}"
                    )
        if found.miscounted:
            self.stdout.write(f"{found.miscounted} applications counted in the wrong state")
        for sheet in found.cutoffs:
            self.stdout.write(f"sheet {sheet}: its stored cut-off is not its week's")
        raise CommandError("The figures have drifted from the rows (see above).")
