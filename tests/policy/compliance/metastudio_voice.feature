# terraform-compliance feature for reconciler's plan JSON (tests/policy/test_policy_tools.py).
Feature: MetaStudio voices guard their trained models

  Scenario: Every voice sets lifecycle.prevent_destroy
    Given I have metastudio_voice defined
    Then it must contain prevent_destroy
    And its value must be true
