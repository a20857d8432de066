/**
 * lazyPage loads a page's code the first time it is opened, so the first load of the dashboard carries
 * only the shell and the overview; heavy pages (analyses with uPlot, the audience builder) follow on demand.
 */
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorMessage } from "./api.ts";
import { useI18n } from "./i18n/index.tsx";
import { Button } from "./ui/button.tsx";
import { Alert, Loading } from "./ui/feedback.tsx";

export function lazyPage(load: () => Promise<FunctionComponent>): FunctionComponent {
  let loaded: FunctionComponent | null = null;
  return function LazyPage() {
    const { t } = useI18n();
    const [Page, setPage] = useState<FunctionComponent | null>(() => loaded);
    const [error, setError] = useState<string | null>(null);
    const fetchPage = () => {
      setError(null);
      load().then(
        (c) => {
          loaded = c;
          setPage(() => c);
        },
        // A new release replaced the chunk while this tab was open: say so and offer a reload.
        (e) => setError(errorMessage(e)),
      );
    };
    useEffect(() => {
      if (!Page) fetchPage();
    }, []);
    if (error) {
      return (
        <Alert>
          {t("app.chunkFailed", { message: error })} <Button variant="link" onClick={() => location.reload()}>{t("app.reload")}</Button>
        </Alert>
      );
    }
    return Page ? <Page /> : <Loading />;
  };
}
