package io.sluice.portability.translation;

import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.NativeTransforms;

/**
 * Tells Beam's pipeline graph (and so its fuser) which transforms beyond Beam's own primitives the
 * runner runs itself: redistributions. Found through {@link java.util.ServiceLoader}.
 */
public final class SluiceNativeTransforms implements NativeTransforms.IsNativeTransform {
  private static final Set<String> REDISTRIBUTIONS = Set.of(PTransformTranslation.RESHUFFLE_URN,
      PTransformTranslation.REDISTRIBUTE_BY_KEY_URN, PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN);

  @Override
  public boolean test(RunnerApi.PTransform transform) {
    return isRedistribution(transform);
  }

  static boolean isRedistribution(RunnerApi.PTransform transform) {
    return REDISTRIBUTIONS.contains(transform.getSpec().getUrn());
  }
}
